// The test IAM evaluator decides as IAM does for the policies meshctl
// prints: it allows what a statement grants, and denies a wrong resource, a
// wrong account, a missing or wrong condition key, and what a Deny names.
import { describe, expect, it } from 'vitest';
import { isAllowed, resourceMatches, UnknownOperatorError, type EvaluatedStatement } from '../support/iam-evaluator.js';

const policy = (...Statement: EvaluatedStatement[]) => ({ Statement });
const SERVICE = 'arn:aws:ecs:us-east-1:123456789012:service/shop/pricing-sc';
const ROLE = 'arn:aws:iam::123456789012:role/web-task';

describe('the IAM evaluator', () => {
  const passRole = policy({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: [ROLE], Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } });

  it('allows an action on its resource, with action names case-insensitive and wildcards in actions and ARNs', () => {
    expect(isAllowed(policy({ Effect: 'Allow', Action: ['ecs:CreateService'], Resource: [SERVICE] }), { action: 'ecs:createservice', resource: SERVICE })).toBe(true);
    expect(isAllowed(policy({ Effect: 'Allow', Action: 'ecs:*Service', Resource: 'arn:aws:ecs:us-east-1:123456789012:service/shop/*' }), { action: 'ecs:UpdateService', resource: SERVICE })).toBe(true);
    expect(isAllowed(policy({ Effect: 'Allow', Action: 'ecs:UpdateServic?', Resource: 'arn:aws:ecs:us-east-1:123456789012:service/shop/pricing-s?' }), { action: 'ecs:UpdateService', resource: SERVICE })).toBe(true);
  });

  it('denies another resource, another account, another partition and another action', () => {
    const scoped = policy({ Effect: 'Allow', Action: ['ecs:UpdateService'], Resource: ['arn:aws:ecs:us-east-1:123456789012:service/shop/*'] });
    expect(isAllowed(scoped, { action: 'ecs:UpdateService', resource: 'arn:aws:ecs:us-east-1:123456789012:service/other/pricing' })).toBe(false);
    expect(isAllowed(scoped, { action: 'ecs:UpdateService', resource: 'arn:aws:ecs:us-east-1:111111111111:service/shop/pricing-sc' })).toBe(false);
    expect(isAllowed(scoped, { action: 'ecs:UpdateService', resource: 'arn:aws-cn:ecs:us-east-1:123456789012:service/shop/pricing-sc' })).toBe(false);
    expect(isAllowed(scoped, { action: 'ecs:DeleteService', resource: SERVICE })).toBe(false);
  });

  it('matches an ARN segment by segment: a wildcard in the account does not reach into the resource', () => {
    expect(resourceMatches('arn:aws:ecs:us-east-1:*:service/shop/*', SERVICE)).toBe(true);
    expect(resourceMatches('arn:aws:ecs:*', SERVICE)).toBe(false);
    expect(resourceMatches('arn:aws:servicediscovery:us-east-1:123456789012:namespace/*', 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1')).toBe(true);
  });

  it('gives an action that takes no resource only to a statement on "*"', () => {
    const request = { action: 'ecs:DeregisterTaskDefinition', resource: '*' };
    expect(isAllowed(policy({ Effect: 'Allow', Action: ['ecs:DeregisterTaskDefinition'], Resource: '*' }), request)).toBe(true);
    expect(isAllowed(policy({ Effect: 'Allow', Action: ['ecs:DeregisterTaskDefinition'], Resource: ['arn:aws:ecs:us-east-1:123456789012:task-definition/*'] }), request)).toBe(false);
  });

  it('denies when a condition key is missing or has another value', () => {
    expect(isAllowed(passRole, { action: 'iam:PassRole', resource: ROLE, context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } })).toBe(true);
    expect(isAllowed(passRole, { action: 'iam:PassRole', resource: ROLE })).toBe(false);
    expect(isAllowed(passRole, { action: 'iam:PassRole', resource: ROLE, context: { 'iam:PassedToService': 'ecs.amazonaws.com' } })).toBe(false);
    // Condition keys are case-insensitive, values are not.
    expect(isAllowed(passRole, { action: 'iam:PassRole', resource: ROLE, context: { 'IAM:passedToService': 'ecs-tasks.amazonaws.com' } })).toBe(true);
  });

  it('takes any of a key\'s values, needs every key, and lets …IfExists pass a request without the key', () => {
    const tagOnCreate = policy({ Effect: 'Allow', Action: 'ecs:TagResource', Resource: '*', Condition: { StringEquals: { 'ecs:CreateAction': ['CreateService', 'RegisterTaskDefinition'] }, StringLike: { 'aws:RequestTag/team': 'shop-*' } } });
    expect(isAllowed(tagOnCreate, { action: 'ecs:TagResource', resource: SERVICE, context: { 'ecs:CreateAction': 'CreateService', 'aws:RequestTag/team': 'shop-web' } })).toBe(true);
    expect(isAllowed(tagOnCreate, { action: 'ecs:TagResource', resource: SERVICE, context: { 'ecs:CreateAction': 'CreateService' } })).toBe(false);
    const share = policy({ Effect: 'Allow', Action: 'ram:CreateResourceShare', Resource: '*', Condition: { StringEqualsIfExists: { 'ram:ResourceArn': 'arn:aws:servicediscovery:us-east-1:1:namespace/ns-1' } } });
    expect(isAllowed(share, { action: 'ram:CreateResourceShare', resource: '*' })).toBe(true);
    expect(isAllowed(share, { action: 'ram:CreateResourceShare', resource: '*', context: { 'ram:ResourceArn': 'arn:aws:appmesh:us-east-1:1:mesh/other' } })).toBe(false);
    const arnLike = policy({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { ArnLike: { 'iam:AssociatedResourceArn': 'arn:aws:ecs:us-east-1:*:service/*' } } });
    expect(isAllowed(arnLike, { action: 'iam:PassRole', resource: ROLE, context: { 'iam:AssociatedResourceArn': SERVICE } })).toBe(true);
    expect(isAllowed(arnLike, { action: 'iam:PassRole', resource: ROLE, context: { 'iam:AssociatedResourceArn': 'arn:aws:ecs:eu-west-1:1:service/a/b' } })).toBe(false);
  });

  it('lets an explicit Deny win, and refuses operators it does not know rather than guess', () => {
    const denied = policy({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'ecs:DeleteService', Resource: SERVICE });
    expect(isAllowed(denied, { action: 'ecs:DeleteService', resource: SERVICE })).toBe(false);
    expect(isAllowed(denied, { action: 'ecs:UpdateService', resource: SERVICE })).toBe(true);
    const unknown = policy({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'x' } } });
    expect(() => isAllowed(unknown, { action: 'ecs:TagResource', resource: SERVICE, context: { 'aws:TagKeys': 'x' } })).toThrow(UnknownOperatorError);
  });
});

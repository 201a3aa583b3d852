// Who owns a service, from its tags (or its task definition's), and how the
// owners of meshctl.yaml are validated.
import { describe, expect, it } from 'vitest';
import { toService } from '../../src/aws/read-estate.js';
import { ownerRules, parseConfig } from '../../src/config/config.js';
import { iacOwner } from '../../src/core/checks/iac-owner.js';
import { RULES } from '../../src/core/checks/index.js';
import { inspectEstate } from '../../src/core/inspect.js';
import { runPrecheck } from '../../src/core/precheck.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import { describeOwner, nextDeploy, NO_OWNER_RULES, ownerColumn, serviceOwner, type OwnerRules } from '../../src/core/owner.js';
import { redactDeep } from '../../src/core/redact.js';
import { registrationInput } from '../../src/core/task-definition-input.js';
import { renderInspectText } from '../../src/render/inspect-text.js';
import { estate, service, taskDefinition } from '../support/estate-builder.js';

const tags = (record: Record<string, string>) => Object.entries(record).map(([key, value]) => ({ key, value }));
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/shop-ledger/5b2f0c10-9a1e-11ef-8c3e-0a1b2c3d4e5f';
const cloudFormation = (logicalId: string, stack = 'shop-ledger') => tags({
  'aws:cloudformation:stack-name': stack, 'aws:cloudformation:stack-id': STACK_ID, 'aws:cloudformation:logical-id': logicalId,
});
const TERRAFORM: OwnerRules = {
  ...NO_OWNER_RULES,
  tagged: [{ name: 'terraform', tool: 'terraform', tags: { ManagedBy: 'terraform' }, workspaceTag: 'tf-workspace', allowMove: false }],
};

describe('serviceOwner', () => {
  it('names the CloudFormation stack and logical id from aws:cloudformation tags', () => {
    const td = taskDefinition();
    const owner = serviceOwner(service(td, { tags: cloudFormation('LedgerService') }), td, NO_OWNER_RULES)!;
    expect(owner).toEqual({ name: 'cloudformation', tool: 'cloudformation', stack: 'shop-ledger', stackId: STACK_ID, logicalId: 'LedgerService', taggedOn: 'service', allowMove: false });
    expect(describeOwner(owner)).toBe('CloudFormation stack shop-ledger (logical id LedgerService)');
    expect(nextDeploy(owner)).toContain('update of stack shop-ledger');
  });

  it('says CDK when the logical id carries the CDK hash, and names cdk deploy', () => {
    const td = taskDefinition();
    const owner = serviceOwner(service(td, { tags: cloudFormation('LedgerServiceD69D759B', 'ShopLedgerStack') }), td, NO_OWNER_RULES)!;
    expect(owner.tool).toBe('cdk');
    expect(nextDeploy(owner)).toBe('cdk deploy ShopLedgerStack');
  });

  it('names the Copilot application, environment and service before the stack Copilot deployed', () => {
    const td = taskDefinition();
    const svc = service(td, { tags: [...cloudFormation('Service', 'shop-prod-reviews'), ...tags({ 'copilot-application': 'shop', 'copilot-environment': 'prod', 'copilot-service': 'reviews' })] });
    const owner = serviceOwner(svc, td, NO_OWNER_RULES)!;
    expect(owner).toMatchObject({ name: 'copilot', tool: 'copilot', stack: 'shop-prod-reviews', logicalId: 'Service', copilot: { application: 'shop', environment: 'prod', service: 'reviews' } });
    expect(nextDeploy(owner)).toBe('copilot svc deploy --app shop --env prod --name reviews');
    expect(ownerColumn(owner)).toBe('copilot:shop/prod/reviews');
  });

  it('names an owner of meshctl.yaml by the tags it marks services with, and its workspace', () => {
    const td = taskDefinition();
    const owner = serviceOwner(service(td, { tags: tags({ ManagedBy: 'terraform', 'tf-workspace': 'prod' }) }), td, TERRAFORM)!;
    expect(owner).toEqual({ name: 'terraform', tool: 'terraform', workspace: 'prod', taggedOn: 'service', allowMove: false });
    expect(nextDeploy(owner)).toBe('terraform apply in workspace prod');
    expect(serviceOwner(service(td, { tags: tags({ ManagedBy: 'pulumi' }) }), td, TERRAFORM)).toBeUndefined();
    const anyValue: OwnerRules = { ...NO_OWNER_RULES, tagged: [{ name: 'deploy', tool: 'ecspresso', tags: { 'ecspresso-app': '*' }, allowMove: true }] };
    expect(serviceOwner(service(td, { tags: tags({ 'ecspresso-app': 'shipping' }) }), td, anyValue)).toMatchObject({ tool: 'ecspresso', allowMove: true });
  });

  it('falls back to the task definition\'s tags only when the service\'s name no owner', () => {
    const td = taskDefinition({ tags: cloudFormation('LedgerTaskDefinition') });
    const byTd = serviceOwner(service(td), td, NO_OWNER_RULES)!;
    expect(byTd).toMatchObject({ stack: 'shop-ledger', taskDefinitionLogicalId: 'LedgerTaskDefinition', taggedOn: 'task-definition' });
    expect(byTd.logicalId).toBeUndefined();
    expect(serviceOwner(service(td, { tags: cloudFormation('LedgerService') }), td, NO_OWNER_RULES)).toMatchObject({ logicalId: 'LedgerService', taskDefinitionLogicalId: 'LedgerTaskDefinition', taggedOn: 'service' });
    const svc = service(td, { tags: tags({ ManagedBy: 'terraform' }) });
    expect(serviceOwner(svc, td, TERRAFORM)).toMatchObject({ name: 'terraform', taggedOn: 'service' });
    expect(serviceOwner(service(taskDefinition()), undefined, NO_OWNER_RULES)).toBeUndefined();
  });

  it('takes allowMove from the rules', () => {
    const td = taskDefinition();
    const rules: OwnerRules = { ...NO_OWNER_RULES, cloudformation: { allowMove: true } };
    expect(serviceOwner(service(td, { tags: cloudFormation('X') }), td, rules)!.allowMove).toBe(true);
  });
});

describe('tags of owners', () => {
  it('are read with the service, aws: tags too, while a green twin copies only the user tags', () => {
    const raw = { serviceName: 'ledger', serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/c/ledger', tags: [...cloudFormation('LedgerService'), { key: 'team', value: 'ledger' }] };
    const svc = toService(raw, 'c');
    expect(svc.tags).toEqual(raw.tags);
    expect(svc.settings!.tags).toEqual([{ key: 'team', value: 'ledger' }]);
  });

  it('are never registered again: RegisterTaskDefinition refuses aws: tags, user tags stay', () => {
    const td = taskDefinition({ tags: [...cloudFormation('LedgerTaskDefinition'), { key: 'team', value: 'ledger' }] });
    expect(registrationInput(td).tags).toEqual([{ key: 'team', value: 'ledger' }]);
    expect(registrationInput(taskDefinition({ tags: cloudFormation('X') })).tags).toBeUndefined();
  });

  it('survive redaction: stack ids, workspaces and Copilot names are no secrets', () => {
    const owned = [...cloudFormation('LedgerService'), ...tags({ 'copilot-service': 'reviews', 'tf-workspace': 'prod', ManagedBy: 'terraform' })];
    expect(redactDeep({ tags: owned })).toEqual({ tags: owned });
  });
});

describe('precheck rule iac-owner', () => {
  const check = (svcTags: { key: string; value: string }[], rules: OwnerRules = TERRAFORM) => {
    const td = taskDefinition({ family: 'ledger' });
    return runPrecheck(estate({ services: [[service(td, { tags: svcTags }), td]] }), { target: 'service-connect', sizing: DEFAULT_SIDECAR_SIZING, owners: rules })
      .findings.filter((f) => f.rule === 'iac-owner');
  };

  it('is registered and warns, naming the stack, the deploy that reverts the move and how to carry the change', () => {
    expect(RULES).toContain(iacOwner);
    const [finding] = check(cloudFormation('LedgerService'));
    expect(finding).toMatchObject({ severity: 'warning', cluster: 'c', service: 'ledger' });
    expect(finding!.blocking).toBeUndefined();
    expect(finding!.message).toBe('c/ledger: owned by CloudFormation stack shop-ledger (logical id LedgerService): its next deploy (an update of stack shop-ledger (aws cloudformation deploy, or the pipeline that deploys it)) registers the old task definition and service configuration again and reverts the move; clients already calling it by its new name would break');
    expect(finding!.hint).toContain('meshctl plan --export DIR --format cloudformation');
    expect(finding!.hint).toContain('apply holds this service until then; --allow-iac-owned (or owners.cloudformation.allowMove: true in meshctl.yaml) moves it anyway');
  });

  it('names the Terraform workspace and the terraform format; says when meshctl.yaml lets apply move it', () => {
    const [finding] = check(tags({ ManagedBy: 'terraform', 'tf-workspace': 'prod' }), { ...TERRAFORM, tagged: [{ ...TERRAFORM.tagged[0]!, allowMove: true }] });
    expect(finding!.message).toContain('owned by Terraform, workspace prod: its next deploy (terraform apply in workspace prod)');
    expect(finding!.hint).toContain('--format terraform');
    expect(finding!.hint).toContain('meshctl.yaml lets apply move it (owners.terraform.allowMove)');
  });

  it('finds nothing on a service no code owns', () => {
    expect(check(tags({ team: 'ledger' }))).toEqual([]);
  });
});

describe('inspect', () => {
  it('shows each service\'s owner, in the text column and the JSON', () => {
    const owned = taskDefinition({ family: 'ledger' });
    const free = taskDefinition({ family: 'web' });
    const report = inspectEstate(estate({ services: [[service(owned, { tags: cloudFormation('LedgerService') }), owned], [service(free), free]] }));
    const [ledger, web] = report.clusters[0]!.services;
    expect(ledger!.owner).toMatchObject({ tool: 'cloudformation', stack: 'shop-ledger' });
    expect(web!.owner).toBeUndefined();
    const text = renderInspectText(report, 'test');
    expect(text).toContain('OWNER');
    expect(text).toMatch(/ledger .*cloudformation:shop-ledger/);
  });
});

describe('meshctl.yaml owners', () => {
  it('turns owners into rules: built-in allowMove, tagged owners with their tool', () => {
    const config = parseConfig({ owners: { cloudformation: { allowMove: true }, terraform: { tags: { ManagedBy: 'terraform' }, workspaceTag: 'tf-workspace' }, platform: { tags: { team: 'platform' } } } }, 'meshctl.yaml');
    expect(ownerRules(config)).toEqual({
      cloudformation: { allowMove: true }, copilot: { allowMove: false },
      tagged: [
        { name: 'terraform', tool: 'terraform', tags: { ManagedBy: 'terraform' }, workspaceTag: 'tf-workspace', allowMove: false },
        { name: 'platform', tool: 'other', tags: { team: 'platform' }, allowMove: false },
      ],
    });
  });

  it.each([
    [{ terraform: {} }, 'owners.terraform.tags: name the tags that mark its services'],
    [{ terraform: { tags: {} } }, 'owners.terraform.tags: name at least one tag'],
    [{ cloudformation: { tags: { a: 'b' } } }, 'owners.cloudformation: Unrecognized key: "tags"'],
    [{ 'bad name': { tags: { a: 'b' } } }, 'owners.bad name: owner names'],
    [{ platform: { tool: 'chef', tags: { a: 'b' } } }, 'owners.platform.tool'],
    [{ terraform: { tags: { a: 'b' }, allowMove: 'yes' } }, 'owners.terraform.allowMove'],
  ])('refuses %j, naming the field', (owners, message) => {
    expect(() => parseConfig({ owners }, 'meshctl.yaml')).toThrow(`meshctl.yaml: ${message}`);
  });
});

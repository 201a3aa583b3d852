// The RegisterTaskDefinition input a task definition was registered from: every
// user field, minus what ECS adds on its own.
import type { TaskDefinition, TaskDefinitionInput } from './estate.js';

/** Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not take. */
export const READ_ONLY_TASK_DEFINITION_FIELDS = [
  'taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities',
  'registeredAt', 'registeredBy', 'deregisteredAt', 'deleteRequestedAt',
] as const;

export type RegisterTaskDefinitionInput = TaskDefinitionInput;

export function registrationInput(taskDefinition: TaskDefinition): RegisterTaskDefinitionInput {
  const input: Record<string, unknown> = structuredClone(taskDefinition);
  for (const field of READ_ONLY_TASK_DEFINITION_FIELDS) delete input[field];
  // aws: tags are AWS's own (CloudFormation tags the task definitions of its stacks): RegisterTaskDefinition refuses them
  // ("CloudFormation resource tagging": the aws: prefix is reserved). They name the owner; they are never copied.
  if (Array.isArray(input.tags)) input.tags = (input.tags as { key: string }[]).filter((t) => !t.key.toLowerCase().startsWith('aws:'));
  // RegisterTaskDefinition rejects an empty tag list.
  if (Array.isArray(input.tags) && input.tags.length === 0) delete input.tags;
  return input as RegisterTaskDefinitionInput;
}

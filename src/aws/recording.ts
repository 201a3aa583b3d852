// The fixtures format: a directory holding recording.json (the manifest) and
// one <service>.json per AWS service, each an ordered list of calls with their
// input and output (or error). Keys are sorted and calls ordered by operation
// and input, so re-recording an unchanged estate gives a small diff.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExpectedError } from '../util/expected-error.js';
import { redactDeep } from '../core/redact.js';
import { sortKeys, stableStringify } from '../util/stable-json.js';
import { AWS_SERVICES, AwsCallError, type AwsCaller, type AwsInput, type AwsOutput, type AwsService } from './caller.js';

export const FIXTURES_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'recording.json';

export interface RecordedCall {
  operation: string;
  input: AwsInput;
  output?: AwsOutput;
  error?: { code: string; message: string };
}

export interface ServiceFixtures {
  formatVersion: number;
  service: AwsService;
  calls: RecordedCall[];
}

export interface FixturesManifest {
  formatVersion: number;
  tool: 'meshctl';
  region: string;
  recordedAt: string;
  services: AwsService[];
}

/** Fixtures that cannot be read: missing, malformed or of another format version. */
export class FixturesError extends ExpectedError {}

export function callKey(service: AwsService, operation: string, input: AwsInput): string {
  return `${service} ${operation} ${stableStringify(input)}`;
}

/** Where another account's recording goes in a fixtures directory. */
export const accountFixturesDir = (dir: string, account: string) => join(dir, 'accounts', account);

export class Recorder {
  /** By account name ('' for the caller's own account). */
  private readonly accounts = new Map<string, Map<string, { service: AwsService; call: RecordedCall }>>();

  /** Records the calls of one account: the caller's own (no name), or a named one. */
  wrap(inner: AwsCaller, account = ''): AwsCaller {
    const calls = this.accounts.get(account) ?? new Map<string, { service: AwsService; call: RecordedCall }>();
    this.accounts.set(account, calls);
    return {
      call: async <T>(service: AwsService, operation: string, input: AwsInput): Promise<T> => {
        const key = callKey(service, operation, input);
        try {
          const output = await inner.call<AwsOutput>(service, operation, input);
          calls.set(key, { service, call: { operation, input: redactDeep(input), output: redactDeep(output) } });
          return output as T;
        } catch (error) {
          if (error instanceof AwsCallError) {
            calls.set(key, { service, call: { operation, input: redactDeep(input), error: { code: error.code, message: error.message } } });
          }
          throw error;
        }
      },
    };
  }

  /** Writes the caller's account to dir, and each named account to dir/accounts/NAME. */
  async write(dir: string, region: string): Promise<string[]> {
    const written: string[] = [];
    for (const [account, calls] of [...this.accounts].sort((a, b) => a[0].localeCompare(b[0]))) {
      const target = account ? accountFixturesDir(dir, account) : dir;
      const files = await writeRecording(target, region, calls);
      written.push(...files.map((f) => (account ? join('accounts', account, f) : f)));
    }
    return written;
  }
}

async function writeRecording(dir: string, region: string, calls: Map<string, { service: AwsService; call: RecordedCall }>): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const byService = new Map<AwsService, { key: string; call: RecordedCall }[]>();
  for (const [key, { service, call }] of calls) {
    byService.set(service, [...(byService.get(service) ?? []), { key, call }]);
  }
  const services = AWS_SERVICES.filter((s) => byService.has(s));
  const written: string[] = [];
  for (const service of services) {
    const ordered = byService.get(service)!.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((c) => c.call);
    const file: ServiceFixtures = { formatVersion: FIXTURES_FORMAT_VERSION, service, calls: ordered };
    await writeFile(join(dir, `${service}.json`), `${JSON.stringify(sortKeys(file), null, 2)}\n`);
    written.push(`${service}.json`);
  }
  const manifest: FixturesManifest = {
    formatVersion: FIXTURES_FORMAT_VERSION,
    tool: 'meshctl',
    region,
    recordedAt: new Date().toISOString(),
    services,
  };
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return [MANIFEST_FILE, ...written];
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FixturesError(code === 'ENOENT'
      ? `${path} not found: ${what}`
      : `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FixturesError(`${path} is not valid JSON (${(error as Error).message}); re-record the fixtures with meshctl record --out DIR`);
  }
}

export interface LoadedFixtures {
  manifest: FixturesManifest;
  calls: Map<string, RecordedCall>;
}

export async function loadFixtures(dir: string): Promise<LoadedFixtures> {
  const manifest = await readJson(join(dir, MANIFEST_FILE), `${dir} is not a meshctl fixtures directory (record one with meshctl record --out ${dir})`) as FixturesManifest;
  if (manifest?.tool !== 'meshctl' || manifest.formatVersion !== FIXTURES_FORMAT_VERSION || !Array.isArray(manifest.services)) {
    throw new FixturesError(`${join(dir, MANIFEST_FILE)} is not a meshctl fixtures manifest of format version ${FIXTURES_FORMAT_VERSION}; re-record the fixtures with meshctl record --out ${dir}`);
  }
  const calls = new Map<string, RecordedCall>();
  for (const service of manifest.services) {
    const path = join(dir, `${service}.json`);
    const file = await readJson(path, `the manifest lists ${service} but its file is missing`) as ServiceFixtures;
    if (file?.formatVersion !== FIXTURES_FORMAT_VERSION || file.service !== service || !Array.isArray(file.calls)) {
      throw new FixturesError(`${path} is not a meshctl ${service} fixtures file of format version ${FIXTURES_FORMAT_VERSION}`);
    }
    for (const [index, call] of file.calls.entries()) {
      if (typeof call?.operation !== 'string' || typeof call.input !== 'object' || (call.output === undefined && call.error === undefined)) {
        throw new FixturesError(`${path}: call #${index + 1} needs operation, input and output or error`);
      }
      calls.set(callKey(service, call.operation, call.input), call);
    }
  }
  return { manifest, calls };
}

export class FixtureMissError extends ExpectedError {
  constructor(dir: string, service: AwsService, operation: string, input: AwsInput) {
    super(`the fixtures in ${dir} have no ${service} ${operation} call with input ${stableStringify(input)}; the flags or the estate differ from the recording (re-record with meshctl record --out ${dir})`);
  }
}

// Batched Describe calls a recording can answer for any subset of what it
// holds, so a recording of the whole estate replays --cluster/--service runs.
// ECS answers every id it was given (or names it under failures); Application
// Auto Scaling leaves out a resource without a scalable target (Application
// Auto Scaling API Reference, DescribeScalableTargets), so an id the recording
// asked for and did not get back has none.
interface Subsettable {
  param: string;
  items: string;
  ids: (item: Record<string, unknown>) => unknown[];
  absentWhenAsked?: boolean;
  extra?: Record<string, unknown>;
}
const SUBSETTABLE: Record<string, Subsettable> = {
  'ecs DescribeClusters': { param: 'clusters', items: 'clusters', ids: (i) => [i.clusterArn, i.clusterName], extra: { failures: [] } },
  'ecs DescribeServices': { param: 'services', items: 'services', ids: (i) => [i.serviceArn, i.serviceName], extra: { failures: [] } },
  'application-autoscaling DescribeScalableTargets': { param: 'ResourceIds', items: 'ScalableTargets', ids: (i) => [i.ResourceId], absentWhenAsked: true },
  // The target groups of the services leaving App Mesh: a --service run asks for its own.
  'elbv2 DescribeTargetGroups': { param: 'TargetGroupArns', items: 'TargetGroups', ids: (i) => [i.TargetGroupArn] },
  // The rules and listeners apply re-reads for drift, by ARN.
  'elbv2 DescribeRules': { param: 'RuleArns', items: 'Rules', ids: (i) => [i.RuleArn] },
  'elbv2 DescribeListeners': { param: 'ListenerArns', items: 'Listeners', ids: (i) => [i.ListenerArn] },
};

function answerSubset(fixtures: LoadedFixtures, service: AwsService, operation: string, input: AwsInput): RecordedCall | undefined {
  const shape = SUBSETTABLE[`${service} ${operation}`];
  const wanted = shape && input[shape.param];
  if (!shape || !Array.isArray(wanted)) return undefined;
  const { [shape.param]: _ids, ...rest } = input;
  const context = stableStringify(rest);
  const pool: Record<string, unknown>[] = [];
  const asked = new Set<unknown>();
  for (const call of fixtures.calls.values()) {
    // Only whole answers: a page of a longer one may lack what the next page holds.
    if (call.operation !== operation || !call.output || call.output.NextToken || call.output.nextToken) continue;
    const { [shape.param]: recordedIds, ...recordedRest } = call.input;
    if (stableStringify(recordedRest) !== context) continue;
    pool.push(...((call.output[shape.items] ?? []) as Record<string, unknown>[]));
    for (const id of (recordedIds ?? []) as unknown[]) asked.add(id);
  }
  const found = wanted.map((id) => pool.find((item) => shape.ids(item).includes(id)));
  const answerable = wanted.every((id, index) => found[index] !== undefined || (shape.absentWhenAsked && asked.has(id)));
  if (!answerable) return undefined;
  return { operation, input, output: { [shape.items]: [...new Set(found.filter((item) => item !== undefined))], ...shape.extra } };
}

type MetricQuery = { Id: string; [field: string]: unknown };

/** Epoch seconds (as meshctl sends them) or an ISO time. */
const seconds = (time: unknown) => (typeof time === 'number' ? time : Date.parse(String(time)) / 1000);

/** What a metric query asks, whatever its Id: its metric, statistic and period, and the window's length. */
function metricSignature(query: MetricQuery, input: AwsInput): string {
  const { Id: _id, ...asked } = query;
  return stableStringify({ asked, window: seconds(input.EndTime) - seconds(input.StartTime) });
}

// GetMetricData reads carry StartTime and EndTime, which move with the clock.
// A recorded metric read is matched on what each query asks, not on when nor
// under which Id: a recording replays on another day, and for any subset of
// its queries (a --cluster or --service run). The recorded pages of one read
// are joined; one read per query, the first recorded.
function answerMetricData(fixtures: LoadedFixtures, input: AwsInput): RecordedCall | undefined {
  if (input.NextToken !== undefined) return undefined;
  const pool = new Map<string, { read: string; Timestamps: unknown[]; Values: unknown[] }>();
  for (const call of fixtures.calls.values()) {
    if (call.operation !== 'GetMetricData' || !call.output) continue;
    const { NextToken: _page, ...rest } = call.input;
    const read = stableStringify(rest);
    const signatures = new Map(((call.input.MetricDataQueries ?? []) as MetricQuery[]).map((q) => [q.Id, metricSignature(q, call.input)]));
    for (const result of (call.output.MetricDataResults ?? []) as { Id: string; Timestamps?: unknown[]; Values?: unknown[] }[]) {
      const signature = signatures.get(result.Id);
      if (signature === undefined) continue;
      const entry = pool.get(signature) ?? { read, Timestamps: [], Values: [] };
      if (entry.read !== read) continue;
      entry.Timestamps.push(...(result.Timestamps ?? []));
      entry.Values.push(...(result.Values ?? []));
      pool.set(signature, entry);
    }
  }
  const results = ((input.MetricDataQueries ?? []) as MetricQuery[]).map((q) => {
    const entry = pool.get(metricSignature(q, input));
    return entry && { Id: q.Id, StatusCode: 'Complete', Timestamps: entry.Timestamps, Values: entry.Values };
  });
  if (results.some((r) => r === undefined)) return undefined;
  return { operation: 'GetMetricData', input, output: { MetricDataResults: results, Messages: [] } };
}

/** Answers calls from a recording; no network, no credentials. */
export function createReplayCaller(dir: string, fixtures: LoadedFixtures): AwsCaller {
  return {
    async call<T>(service: AwsService, operation: string, input: AwsInput): Promise<T> {
      const recorded = fixtures.calls.get(callKey(service, operation, input)) ?? answerSubset(fixtures, service, operation, input)
        ?? (service === 'cloudwatch' && operation === 'GetMetricData' ? answerMetricData(fixtures, input) : undefined);
      if (!recorded) throw new FixtureMissError(dir, service, operation, input);
      if (recorded.error) throw new AwsCallError(service, operation, recorded.error.code, recorded.error.message);
      return structuredClone(recorded.output) as T;
    },
  };
}

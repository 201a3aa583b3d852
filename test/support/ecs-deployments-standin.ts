// A test-only stand-in for ECS's own canary, linear and blue/green
// deployments, which moto lacks: moto keeps an UpdateService's
// deploymentConfiguration.strategy and loadBalancers[].advancedConfiguration,
// but starts no service deployment, reports no currentServiceDeployment and
// has no DescribeServiceDeployments, ListServiceDeployments or
// StopServiceDeployment. The stand-in:
// - starts a service deployment when an UpdateService moves a service whose
//   strategy is CANARY, LINEAR or BLUE_GREEN to another task definition, and
//   reports it (currentServiceDeployment, the three APIs);
// - runs it on a test-controlled clock (advance(minutes)), as ECS would:
//   scale up, then the production listener rule's weights move between the
//   production and alternate target groups step by step (ModifyRule on moto
//   itself), bake, done;
// - rolls it back, weights and task definition, when one of its alarms is
//   in ALARM at a tick (naming it, as ECS's triggeredAlarmNames does), or
//   when StopServiceDeployment asks (stopType ROLLBACK).
// Not product code: meshctl talks to AWS exactly as it would without it.
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeRulesCommand, ElasticLoadBalancingV2Client, ModifyRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';

/* eslint-disable @typescript-eslint/no-explicit-any -- raw API payloads */
type Raw = Record<string, any>;

export interface Run {
  arn: string;
  cluster: string;
  service: string;
  serviceArn: string;
  clusterArn: string;
  from: string;
  to: string;
  config: Raw;
  rule: string;
  production: string;
  alternate: string;
  /** Simulated minutes since it started. */
  minutes: number;
  status: string;
  stage: string;
  traffic: number;
  triggered: string[];
  reason?: string;
}

const clusterName = (cluster: string | undefined) => (cluster ?? 'default').split('/').pop()!;
const MANAGED = new Set(['CANARY', 'LINEAR', 'BLUE_GREEN']);

/** Where the deployment stands `minutes` after it started: lifecycle stage and production traffic on the new revision. */
function position(run: Run): { stage: string; traffic: number; done: boolean } {
  const t = run.minutes;
  const bake = Number(run.config.bakeTimeInMinutes ?? 0);
  if (t < 1) return { stage: 'SCALE_UP', traffic: 0, done: false };
  const steps: [number, number][] = [];
  if (run.config.strategy === 'CANARY') {
    const c = run.config.canaryConfiguration ?? {};
    steps.push([1, Number(c.canaryPercent ?? 5)], [1 + Number(c.canaryBakeTimeInMinutes ?? 10), 100]);
  } else if (run.config.strategy === 'LINEAR') {
    const l = run.config.linearConfiguration ?? {};
    const step = Number(l.stepPercent ?? 10);
    for (let k = 1; (k - 1) * step < 100; k += 1) steps.push([1 + (k - 1) * Number(l.stepBakeTimeInMinutes ?? 6), Math.min(100, k * step)]);
  } else steps.push([1, 100]);
  const reached = steps.filter(([at]) => t >= at);
  const traffic = reached[reached.length - 1]![1];
  if (traffic < 100) return { stage: 'PRODUCTION_TRAFFIC_SHIFT', traffic, done: false };
  const full = steps.find(([, w]) => w === 100)![0];
  return t >= full + bake ? { stage: 'CLEAN_UP', traffic: 100, done: true } : { stage: 'BAKE_TIME', traffic: 100, done: false };
}

/** What the stand-in keeps: plain data, which a proxy may start from (AwsProxy.standIns). */
export interface EcsDeploymentsState {
  runs: Run[];
  /** Where each service's production traffic is: the group at 100 after its last deployment. */
  production: Map<string, string>;
  /** Deployments started so far. */
  counter: number;
  /** Each service's task definition as last seen: what a deployment moves from. */
  known: Map<string, string>;
}

export const emptyEcsDeploymentsState = (): EcsDeploymentsState => ({ runs: [], production: new Map(), counter: 0, known: new Map() });

export function createEcsDeploymentsStandIn(motoUrl: string, state: EcsDeploymentsState = emptyEcsDeploymentsState()) {
  const config = { endpoint: motoUrl, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const elb = new ElasticLoadBalancingV2Client(config);
  const ecs = new ECSClient(config);
  const cloudwatch = new CloudWatchClient(config);
  const { runs, production, known } = state;

  async function setWeights(run: Run, traffic: number): Promise<void> {
    const rule = (await elb.send(new DescribeRulesCommand({ RuleArns: [run.rule] }))).Rules![0]!;
    const actions = (rule.Actions ?? []).map((a) => (a.Type !== 'forward' ? a : {
      Type: 'forward', ForwardConfig: { ...a.ForwardConfig, TargetGroups: [{ TargetGroupArn: run.production, Weight: 100 - traffic }, { TargetGroupArn: run.alternate, Weight: traffic }] },
    }));
    await elb.send(new ModifyRuleCommand({ RuleArn: run.rule, Actions: actions as never }));
    run.traffic = traffic;
  }

  async function rollBack(run: Run, reason: string): Promise<void> {
    await setWeights(run, 0);
    // ECS puts the service back on its previous revision.
    await ecs.send(new UpdateServiceCommand({ cluster: run.cluster, service: run.service, taskDefinition: run.from }));
    Object.assign(run, { status: 'ROLLBACK_SUCCESSFUL', stage: 'CLEAN_UP', reason });
  }

  async function tick(run: Run, minutes: number): Promise<void> {
    if (run.status === 'ROLLBACK_REQUESTED' || run.status === 'ROLLBACK_IN_PROGRESS') return rollBack(run, 'Service deployment rolled back because of a StopServiceDeployment request.');
    if (run.status !== 'IN_PROGRESS') return;
    const alarms = (run.config.alarms?.enable ? run.config.alarms.alarmNames ?? [] : []) as string[];
    if (alarms.length > 0) {
      const firing = ((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarms }))).MetricAlarms ?? []).filter((a) => a.StateValue === 'ALARM').map((a) => a.AlarmName!);
      if (firing.length > 0 && run.config.alarms.rollback) {
        run.triggered = firing;
        return rollBack(run, `CloudWatch alarm(s) ${firing.join(', ')} in ALARM`);
      }
    }
    run.minutes += minutes;
    const at = position(run);
    if (at.traffic !== run.traffic) await setWeights(run, at.traffic);
    run.stage = at.stage;
    if (at.done) {
      run.status = 'SUCCESSFUL';
      production.set(`${run.cluster}/${run.service}`, run.alternate);
    }
  }

  const describe = (run: Run): Raw => ({
    serviceDeploymentArn: run.arn, serviceArn: run.serviceArn, clusterArn: run.clusterArn, status: run.status, lifecycleStage: run.stage,
    ...(run.reason && { statusReason: run.reason }), createdAt: state.counter,
    deploymentConfiguration: run.config,
    sourceServiceRevisions: [{ arn: `${run.arn}/source`, requestedTaskCount: 2, runningTaskCount: 2, requestedProductionTrafficWeight: 100 - run.traffic }],
    targetServiceRevision: { arn: `${run.arn}/target`, requestedTaskCount: 2, runningTaskCount: run.minutes >= 1 ? 2 : 0, requestedProductionTrafficWeight: run.traffic },
    ...(run.status.startsWith('ROLLBACK') && { rollback: { reason: run.reason, serviceRevisionArn: `${run.arn}/source` } }),
    alarms: { status: run.config.alarms?.enable ? 'ENABLED' : 'DISABLED', alarmNames: run.config.alarms?.alarmNames ?? [], triggeredAlarmNames: run.triggered },
  });

  return {
    runs,
    /** Moves every running deployment on by this many simulated minutes. */
    async advance(minutes: number): Promise<void> {
      for (const run of runs) await tick(run, minutes);
    },
    /** Answers what moto lacks: the service-deployment APIs. */
    answer(operation: string, input: Raw | undefined): Raw | undefined {
      if (operation === 'DescribeServiceDeployments') {
        const arns = (input?.serviceDeploymentArns ?? []) as string[];
        return { serviceDeployments: runs.filter((r) => arns.includes(r.arn)).map(describe), failures: [] };
      }
      if (operation === 'ListServiceDeployments') {
        const statuses = input?.status as string[] | undefined;
        const mine = runs.filter((r) => r.cluster === clusterName(input?.cluster) && (r.service === input?.service || r.serviceArn === input?.service) && (!statuses || statuses.includes(r.status)));
        return { serviceDeployments: [...mine].reverse().map((r) => ({ serviceDeploymentArn: r.arn, serviceArn: r.serviceArn, clusterArn: r.clusterArn, status: r.status, createdAt: runs.indexOf(r) + 1 })) };
      }
      if (operation === 'StopServiceDeployment') {
        const run = runs.find((r) => r.arn === input?.serviceDeploymentArn);
        if (run && run.status === 'IN_PROGRESS') run.status = 'ROLLBACK_REQUESTED';
        return { serviceDeploymentArn: input?.serviceDeploymentArn };
      }
      return undefined;
    },
    /** After moto answered an UpdateService: an ECS-managed move to another revision starts a service deployment. */
    afterUpdate(input: Raw, payload: Buffer): Buffer {
      const out = JSON.parse(payload.toString()) as { service?: Raw };
      const service = out.service;
      const strategy = service?.deploymentConfiguration?.strategy;
      const lb = (service?.loadBalancers ?? [])[0]?.advancedConfiguration;
      const from = service && known.get(service.serviceArn);
      if (service) known.set(service.serviceArn, service.taskDefinition);
      if (!service || !MANAGED.has(strategy) || !lb || !input.taskDefinition || !from || from === service.taskDefinition) return payload;
      const key = `${clusterName(input.cluster)}/${input.service}`;
      const current = production.get(key) ?? service.loadBalancers[0].targetGroupArn;
      state.counter += 1;
      const run: Run = {
        arn: service.serviceArn.replace(':service/', ':service-deployment/') + `/standin${state.counter}`,
        cluster: clusterName(input.cluster), service: input.service, serviceArn: service.serviceArn, clusterArn: service.clusterArn,
        from, to: service.taskDefinition, config: service.deploymentConfiguration, rule: lb.productionListenerRule,
        production: current, alternate: current === lb.alternateTargetGroupArn ? service.loadBalancers[0].targetGroupArn : lb.alternateTargetGroupArn,
        minutes: 0, status: 'IN_PROGRESS', stage: 'SCALE_UP', traffic: 0, triggered: [],
      };
      runs.push(run);
      service.currentServiceDeployment = run.arn;
      return Buffer.from(JSON.stringify(out));
    },
    /** DescribeServices: the current deployment, and the deployments as ECS shows them while one runs. */
    describeServices(payload: Buffer): Buffer {
      const out = JSON.parse(payload.toString()) as { services?: Raw[] };
      for (const service of out.services ?? []) {
        known.set(service.serviceArn, service.taskDefinition);
        const run = runs.filter((r) => r.serviceArn === service.serviceArn).pop();
        if (!run) continue;
        service.currentServiceDeployment = run.arn;
        if (run.status === 'IN_PROGRESS' || run.status.startsWith('ROLLBACK_RE')) {
          service.deployments = [
            { id: `ecs-svc/${run.arn.split('/').pop()}`, status: 'PRIMARY', taskDefinition: run.to, desiredCount: 2, runningCount: run.minutes >= 1 ? 2 : 0, rolloutState: 'IN_PROGRESS' },
            { id: 'ecs-svc/source', status: 'ACTIVE', taskDefinition: run.from, desiredCount: 2, runningCount: 2, rolloutState: 'COMPLETED' },
          ];
        }
      }
      return Buffer.from(JSON.stringify(out));
    },
  };
}

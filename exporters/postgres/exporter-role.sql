-- migobs: the login role postgres_exporter connects as (PostgreSQL 10 or newer).
--
-- Run once per cluster, as a superuser, on the primary (standbys get it by replication):
--   psql -v exporter_password='<password>' -f exporter-role.sql
-- Safe to run again: it creates the role when missing and otherwise only resets what it sets.
--
-- pg_monitor lets the role read every session of pg_stat_activity, pg_stat_replication and
-- pg_stat_wal_receiver (the lock-wait and lag queries of migration-queries.yaml), without
-- superuser. lock_timeout and statement_timeout keep a scrape from queueing behind a migration's
-- DDL lock or running long; set lock_timeout in the DSN as well (&lock_timeout=2000), since a
-- pooler may not apply role settings.
\set ON_ERROR_STOP on
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'postgres_exporter') AS create_role \gset
\if :create_role
CREATE ROLE postgres_exporter LOGIN;
\endif
ALTER ROLE postgres_exporter WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE CONNECTION LIMIT 3 PASSWORD :'exporter_password';
GRANT pg_monitor TO postgres_exporter;
ALTER ROLE postgres_exporter SET lock_timeout = '2s';
ALTER ROLE postgres_exporter SET statement_timeout = '10s';

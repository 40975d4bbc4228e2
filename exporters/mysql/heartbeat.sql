-- migobs: the heartbeat table that replica lag is measured with (mysql signal replicationLag).
--
-- The layout pt-heartbeat (Percona Toolkit) writes and mysqld_exporter --collect.heartbeat reads:
-- one row per writing server, `ts` = when that server last wrote it. Create it once on the primary
-- (it replicates), then keep a writer running on the primary, e.g.
--   pt-heartbeat --update --utc --interval 1 --database heartbeat --table heartbeat h=<primary>,u=<user>,p=<password>
-- (its account needs SELECT, INSERT, UPDATE, DELETE on heartbeat.* and REPLICATION CLIENT on *.*,
-- plus SLAVE MONITOR on MariaDB 10.5 and newer)
-- and run mysqld_exporter on every replica with
--   --collect.heartbeat --collect.heartbeat.database=heartbeat --collect.heartbeat.table=heartbeat --collect.heartbeat.utc
-- (--utc on both sides, or on neither). Lag = the replica's clock - the newest ts it has applied, so
-- it keeps growing when replication stops, unlike Seconds_Behind_Master, which disappears.
-- A gh-ost or Vitess heartbeat writer works too if it writes this layout.
CREATE DATABASE IF NOT EXISTS heartbeat;
CREATE TABLE IF NOT EXISTS heartbeat.heartbeat (
  ts                    VARCHAR(26) NOT NULL,
  server_id             INT UNSIGNED NOT NULL PRIMARY KEY,
  file                  VARCHAR(255) DEFAULT NULL,
  position              BIGINT UNSIGNED DEFAULT NULL,
  relay_master_log_file VARCHAR(255) DEFAULT NULL,
  exec_master_log_pos   BIGINT UNSIGNED DEFAULT NULL
) ENGINE=InnoDB;

-- migobs: what the mysqld_exporter account needs for the migobs mysql signals (MySQL, Percona Server).
--
-- Create the account first (use your own name, host and password; keep its connections few):
--   CREATE USER 'mysqld_exporter'@'localhost' IDENTIFIED BY '<password>' WITH MAX_USER_CONNECTIONS 3;
-- then run this file as an admin on the primary (it replicates):  mysql < exporter-grants.sql
-- PROCESS: processlist and innodb_metrics collectors (lock waits, transaction proxies).
-- REPLICATION CLIENT: SHOW REPLICA STATUS and SHOW BINARY LOGS (lag, threads, binlog size).
-- SELECT: the heartbeat table (and performance_schema, should you enable its collectors).
-- MariaDB 10.5 and newer: use exporter-grants.mariadb.sql instead.
GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO 'mysqld_exporter'@'localhost';

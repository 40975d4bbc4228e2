-- migobs: what the mysqld_exporter account needs for the migobs mysql signals (MariaDB 10.5 and newer).
--
-- Create the account first (use your own name, host and password; keep its connections few):
--   CREATE USER 'mysqld_exporter'@'localhost' IDENTIFIED BY '<password>' WITH MAX_USER_CONNECTIONS 3;
-- then run this file as an admin on the primary (it replicates):  mariadb < exporter-grants.mariadb.sql
-- MariaDB 10.5 split REPLICATION CLIENT: without SLAVE MONITOR every mysql_slave_status_* series is
-- silently missing (mysql_up stays 1), and the replica-thread and Seconds_Behind_Master gates read
-- unknown forever.
GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO 'mysqld_exporter'@'localhost';

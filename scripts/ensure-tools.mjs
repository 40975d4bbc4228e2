// Installs the real tools the tests use when they are missing (Debian packages; needs root or sudo).
// promtool/prometheus (prometheus), amtool/alertmanager (prometheus-alertmanager), PostgreSQL,
// postgres_exporter, Pushgateway, node_exporter, MariaDB and mysqld_exporter for the live
// end-to-end tests. Tests never skip a missing tool: they fail.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const need = [
  ['promtool', 'prometheus'],
  ['prometheus', 'prometheus'],
  ['amtool', 'prometheus-alertmanager'],
  ['prometheus-alertmanager', 'prometheus-alertmanager'],
  ['prometheus-postgres-exporter', 'prometheus-postgres-exporter'],
  ['prometheus-pushgateway', 'prometheus-pushgateway'],
  ['prometheus-node-exporter', 'prometheus-node-exporter'], // host signals of the engine libraries
  ['mariadbd', 'mariadb-server'], // the mysql engine library on a real MariaDB
  ['prometheus-mysqld-exporter', 'prometheus-mysqld-exporter'],
  ['openssl', 'openssl'], // a test CA for `migobs gate --ca-file`
  ['script', 'util-linux'], // a pseudo-terminal for `migobs watch`
];
const has = (cmd) => spawnSync('sh', ['-c', `PATH="$PATH:/usr/sbin:/sbin" command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const hasPostgres = () => existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));

const packages = new Set(need.filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg));
if (!hasPostgres()) packages.add('postgresql');
if (packages.size === 0) process.exit(0);

const list = [...packages].sort();
console.log(`migobs tests need: ${list.join(' ')}; installing with apt-get`);
const sudo = process.getuid && process.getuid() === 0 ? [] : ['sudo'];
const run = (args) => execFileSync(sudo.length ? 'sudo' : args[0], sudo.length ? args : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
try {
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', '--no-install-recommends', ...list]);
} catch {
  console.error(`could not install ${list.join(' ')}: install them yourself (Debian/Ubuntu: apt-get install ${list.join(' ')})`);
  process.exit(1);
}
// The packages start system services we do not use; the tests start their own on loopback.
for (const svc of ['prometheus', 'prometheus-alertmanager', 'prometheus-postgres-exporter', 'prometheus-pushgateway', 'prometheus-node-exporter', 'prometheus-mysqld-exporter', 'postgresql', 'mariadb']) {
  spawnSync('sh', ['-c', `(command -v systemctl >/dev/null && systemctl stop ${svc}) || (command -v service >/dev/null && service ${svc} stop)`], { stdio: 'ignore' });
}

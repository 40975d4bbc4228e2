// Installs the real tools the tests use when they are missing (Debian packages; needs root or sudo).
// promtool/prometheus (prometheus), amtool/alertmanager (prometheus-alertmanager), PostgreSQL,
// postgres_exporter, Pushgateway, node_exporter, MariaDB, mysqld_exporter and pt-heartbeat for the
// live end-to-end tests. Tests never skip a missing tool: they fail.
//
// Services: Debian's packages start their daemons on install. The tests never use them (they start
// their own servers on 127.0.0.1, free ports, temp dirs), so this script stops a service only when
// it is one that a package installed by THIS run started, and it was not running before the
// install. A PostgreSQL, MariaDB or Prometheus you were already running is never touched.
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
  ['pt-heartbeat', 'percona-toolkit'], // the heartbeat writer of the shipped mysql setup
  ['openssl', 'openssl'], // a test CA for `migobs gate --ca-file`
  ['script', 'util-linux'], // a pseudo-terminal for `migobs watch`
  ['chromium', 'chromium'], // the headless page check of `migobs report` (driven by playwright-core)
];
/** The services each package starts when it is installed (Debian maintainer scripts). */
const SERVICES_OF = {
  prometheus: ['prometheus'],
  'prometheus-alertmanager': ['prometheus-alertmanager'],
  'prometheus-postgres-exporter': ['prometheus-postgres-exporter'],
  'prometheus-pushgateway': ['prometheus-pushgateway'],
  'prometheus-node-exporter': ['prometheus-node-exporter'],
  'prometheus-mysqld-exporter': ['prometheus-mysqld-exporter'],
  postgresql: ['postgresql'],
  'mariadb-server': ['mariadb'],
};

const sh = (script) => spawnSync('sh', ['-c', script], { stdio: 'ignore' }).status === 0;
const has = (cmd) => sh(`PATH="$PATH:/usr/sbin:/sbin" command -v ${cmd} >/dev/null`);
const hasPostgres = () => existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));

const packages = new Set(need.filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg));
if (!hasPostgres()) packages.add('postgresql');
if (packages.size === 0) process.exit(0);

const list = [...packages].sort();
console.log(`migobs tests need: ${list.join(' ')}; installing with apt-get`);
const sudo = process.getuid && process.getuid() === 0 ? [] : ['sudo'];
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
/** [command, args] that runs `args` as root: directly when we are root, else through sudo. */
const asRoot = (args) => (sudo.length ? ['sudo', args] : [args[0], args.slice(1)]);
const run = (args) => {
  const [cmd, rest] = asRoot(args);
  execFileSync(cmd, rest, { stdio: 'inherit', env });
};

// systemd when it is the init system, else the SysV `service` wrapper (containers, WSL).
const systemd = existsSync('/run/systemd/system') && has('systemctl');
const isRunning = (svc) => (systemd ? sh(`systemctl is-active --quiet ${svc}`) : sh(`service ${svc} status >/dev/null 2>&1`));
const stop = (svc) => {
  const [cmd, rest] = asRoot(systemd ? ['systemctl', 'stop', svc] : ['service', svc, 'stop']);
  return spawnSync(cmd, rest, { stdio: 'ignore', env }).status === 0;
};

const candidates = list.flatMap((pkg) => SERVICES_OF[pkg] ?? []);
const runningBefore = new Set(candidates.filter(isRunning));

try {
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', '--no-install-recommends', ...list]);
} catch {
  console.error(`could not install ${list.join(' ')}: install them yourself (Debian/Ubuntu: apt-get install ${list.join(' ')})`);
  process.exit(1);
}

const startedByInstall = candidates.filter((svc) => !runningBefore.has(svc) && isRunning(svc));
const stopped = startedByInstall.filter(stop);
if (stopped.length > 0) {
  console.log(`stopped ${stopped.join(', ')}: started by the packages just installed (the tests start their own servers). They stay enabled at boot as the packages set them up.`);
}
const failed = startedByInstall.filter((svc) => !stopped.includes(svc));
if (failed.length > 0) console.log(`could not stop ${failed.join(', ')} (started by the packages just installed); the tests do not need them`);

import { errorAt, type SemanticRule } from '../rule';

/**
 * The migration id names output files (`<id>.yaml`, `<id>.json`, a folder per migration). Windows
 * reserves device names whatever their case or extension (`con`, `NUL.yaml`, `com1.json`), so a
 * repo holding such a file cannot be checked out or written there.
 */
const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

export const idNotWindowsReserved: SemanticRule = {
  name: 'id-not-windows-reserved',
  doc: 'metadata.id is not a device name Windows reserves (con, prn, aux, nul, com1-com9, lpt1-lpt9, in any case, with or without an extension): the id names output files.',
  check(ctx) {
    const id = ctx.def.metadata.id;
    if (!RESERVED.test(id)) return [];
    return [
      errorAt(
        ctx,
        this.name,
        ['metadata', 'id'],
        `migration id \`${id}\` is a device name Windows reserves (CON, PRN, AUX, NUL, COM1-COM9, LPT1-LPT9): the files named after it cannot be created or checked out on Windows`,
        `pick an id that says what the migration does, e.g. \`${id.toLowerCase()}-backfill\``,
      ),
    ];
  },
};

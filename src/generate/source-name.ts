import { basename } from 'node:path';
import type { ResolvedMigration } from '../model/types';

/** The source file name used in headers (basename: output must not depend on the working folder). */
export const sourceName = (model: ResolvedMigration): string => basename(model.sourceFile);

import {Flags} from '@oclif/core';

/**
 * Flags every write command takes (design §7): `--yes` answers the confirmation prompt,
 * `--dry-run` shows what would change and writes nothing, `--allow-unknown-revision`
 * lets a write go ahead on an alembic revision prefectdb does not know.
 */
export const writeFlags = {
  yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed for destructive changes when stdin is not a terminal)'}),
  'dry-run': Flags.boolean({description: 'show what would change and write nothing'}),
  'allow-unknown-revision': Flags.boolean({description: 'write even though the database\'s alembic revision is unknown to prefectdb'}),
};

export interface WriteFlagValues {
  yes?: boolean;
  'dry-run'?: boolean;
  'allow-unknown-revision'?: boolean;
}

/**
 * The command reference as `npm run docs` (`oclif readme --multi`) would write it, generated
 * in memory with the same options, so a test can tell whether README.md's command block and
 * docs/commands/*.md are current. Runs in its own process: oclif sizes help text from
 * COLUMNS when its modules load.
 */
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The options of package.json's "docs" script.
export const DOCS_OPTIONS = {multi: true, outputDir: 'docs/commands', sourceLinks: false, aliases: false};

export interface StaleFile {
  file: string;
  reason: 'missing' | 'different';
}

export async function staleCommandDocs(): Promise<StaleFile[]> {
  process.env.COLUMNS = '120';
  const {Config} = await import('@oclif/core');
  const require = createRequire(path.join(ROOT, 'package.json'));
  const {default: ReadmeGenerator} = require('oclif/lib/readme-generator.js') as {
    default: new (config: unknown, options: object) => {generate(): Promise<string>; write(file: string, content: string): Promise<void>};
  };
  const config = await Config.load({root: ROOT, devPlugins: false, userPlugins: false});
  const generated = new Map<string, string>();
  const generator = new ReadmeGenerator(config, {...DOCS_OPTIONS, pluginDir: ROOT, readmePath: path.join(ROOT, 'README.md'), dryRun: false});
  generator.write = async (file, content) => {
    generated.set(path.relative(ROOT, file), content);
  };
  await generator.generate();
  const stale: StaleFile[] = [];
  for (const [file, content] of generated) {
    let current: string | undefined;
    try {
      current = readFileSync(path.join(ROOT, file), 'utf8');
    } catch {
      stale.push({file, reason: 'missing'});
      continue;
    }
    if (current !== content) stale.push({file, reason: 'different'});
  }
  return stale;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stale = await staleCommandDocs();
  process.stdout.write(JSON.stringify(stale) + '\n');
}

import {expect} from 'chai';

import {confirmChange, type PromptIO} from '../../src/cli/confirm.js';
import {CliError} from '../../src/errors.js';

const answering = (answer: string, interactive = true): PromptIO & {asked: string[]} => {
  const asked: string[] = [];
  return {interactive, asked, ask: async (prompt) => (asked.push(prompt), answer)};
};

async function outcome(promise: Promise<void>): Promise<number | 'ok'> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof CliError) return error.exitCode;
    throw error;
  }
}

describe('confirmation of destructive changes', () => {
  it('needs no answer under --yes or --dry-run', async () => {
    const io = answering('n');
    expect(await outcome(confirmChange({question: 'Delete 3 flow runs?', yes: true}, io))).to.equal('ok');
    expect(await outcome(confirmChange({question: 'Delete 3 flow runs?', dryRun: true}, io))).to.equal('ok');
    expect(io.asked).to.deep.equal([]);
  });

  it('refuses with exit 4 and names --yes when there is no terminal', async () => {
    const io = answering('y', false);
    const promise = confirmChange({question: 'Delete 3 flow runs?'}, io);
    expect(await outcome(promise)).to.equal(4);
    await promise.catch((error: Error) => expect(error.message).to.match(/^Delete 3 flow runs: refusing without confirmation \(pass --yes/));
  });

  it('asks on a terminal and goes ahead only on yes', async () => {
    const yes = answering('Y');
    expect(await outcome(confirmChange({question: 'Delete 3 flow runs?'}, yes))).to.equal('ok');
    expect(yes.asked).to.deep.equal(['Delete 3 flow runs? [y/N] ']);
    expect(await outcome(confirmChange({question: 'Delete 3 flow runs?'}, answering('')))).to.equal(4);
    expect(await outcome(confirmChange({question: 'Delete 3 flow runs?'}, answering('nope')))).to.equal(4);
  });
});

import { createInterface } from 'node:readline/promises';

/** Asks a yes/no question on the terminal; only "yes", exactly as the question says, proceeds. Ctrl-C at the question is a no. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} Only "yes" proceeds: `);
    return answer.trim() === 'yes';
  } catch (error) {
    if ((error as { code?: string }).code !== 'ABORT_ERR') throw error;
    process.stderr.write('\n');
    return false;
  } finally {
    rl.close();
  }
}

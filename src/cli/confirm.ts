import { createInterface } from 'node:readline/promises';

/** Asks a yes/no question on the terminal; only "yes", exactly as the question says, proceeds. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} Only "yes" proceeds: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}

// The profile names in the shared AWS config and credentials files, as the
// AWS CLI reads them: the SDK answers a misspelt --profile with "Could not
// load credentials from any providers", so meshctl checks the name itself.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function sharedConfigFiles(env: NodeJS.ProcessEnv = process.env): { config: string; credentials: string } {
  return {
    config: env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'),
  };
}

/** Section names of an INI file: [profile NAME] and [default] in config, [NAME] in credentials. */
export function profileNames(text: string, kind: 'config' | 'credentials'): string[] {
  return [...text.matchAll(/^\s*\[\s*([^\]]+?)\s*\]\s*$/gm)]
    .map((m) => m[1]!)
    .flatMap((section) => {
      if (kind === 'credentials') return [section];
      if (section === 'default') return ['default'];
      const named = /^profile\s+(.+)$/.exec(section);
      return named ? [named[1]!] : [];
    });
}

export async function knownProfiles(env: NodeJS.ProcessEnv = process.env): Promise<{ names: Set<string>; files: string[] }> {
  const files = sharedConfigFiles(env);
  const read = (path: string) => readFile(path, 'utf8').catch(() => '');
  const [config, credentials] = await Promise.all([read(files.config), read(files.credentials)]);
  return { names: new Set([...profileNames(config, 'config'), ...profileNames(credentials, 'credentials')]), files: [files.config, files.credentials] };
}

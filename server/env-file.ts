// The optional .env file of the working directory, loaded into process.env before the config is
// read; variables already set in the environment win. Node's own parser (process.loadEnvFile,
// Node >= 20.12) where there is one: it costs nothing to load, where dotenv takes about 10 ms of a
// command's start-up; older Node versions use dotenv.
export async function loadEnvFile(file = '.env'): Promise<void> {
  const load = (process as { loadEnvFile?: (path: string) => void }).loadEnvFile;
  if (load === undefined) {
    (await import('dotenv')).config({ path: file, quiet: true });
    return;
  }
  try {
    load(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

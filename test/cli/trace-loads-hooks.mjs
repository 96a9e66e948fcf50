import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  appendFileSync(process.env.BALLAST_TRACE_FILE, `${url}\n`);
  return next(url, context);
}

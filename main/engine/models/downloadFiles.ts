/**
 * File-system pieces of a model download: the file name a URL is saved under, the `.part`
 * file it grows in, and moving the finished file into place without replacing another.
 */
import { link, rename, stat, unlink } from 'node:fs/promises';
import { ApiError } from '../../../common/openaiErrors.js';

/** Suffix of a download in progress: `<file>.part`. */
export const PART_SUFFIX = '.part';

const MAX_NAME_LENGTH = 120;
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP', 'EXDEV']);

/** Characters a model file name may hold; everything else becomes `_`. */
function sanitize(name: string): string {
  return name
    .replace(/[^\w.-]+/g, '_')
    .replace(/^[._-]+/, '') // no hidden files, no `..`
    .replace(/_+/g, '_');
}

/**
 * The file name a download is saved under: `fileName` when given, else the URL's last path
 * segment; sanitized to letters, digits, `_`, `.` and `-`, and it must end in `.gguf`.
 * Throws a 400 {@link ApiError} naming the problem otherwise.
 */
export function downloadFileName(url: URL, fileName?: string): string {
  let raw = fileName;
  if (raw === undefined) {
    const segment = url.pathname.split('/').pop() ?? '';
    try {
      raw = decodeURIComponent(segment);
    } catch {
      raw = segment;
    }
  }
  const param = fileName === undefined ? 'url' : 'fileName';
  if (/[/\\]/.test(raw)) {
    throw ApiError.invalidRequest(`The file name '${raw}' must not contain a path`, param);
  }
  const name = sanitize(raw);
  if (!/\.gguf$/i.test(name) || name.length <= '.gguf'.length) {
    throw ApiError.invalidRequest(
      fileName === undefined
        ? `The URL must end in a .gguf file name (or give fileName): '${raw || '/'}'`
        : `The file name '${raw}' must end in .gguf`,
      param,
    );
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw ApiError.invalidRequest(
      `The file name is longer than ${MAX_NAME_LENGTH} characters`,
      param,
    );
  }
  return name;
}

/** Whether a path exists (anything at all). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** The size of a file, 0 when it is not there. */
export async function sizeOrZero(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/**
 * Moves `from` to `to` in one step, failing with `EEXIST` when `to` exists (a hard link
 * refuses to replace a file, unlike rename). Without hard links: check, then rename.
 */
export async function moveNoClobber(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST' || !NO_HARD_LINKS.has(code)) throw error;
    if (await exists(to))
      throw Object.assign(new Error(`${to} already exists`), { code: 'EEXIST' });
    await rename(from, to);
    return;
  }
  await unlink(from);
}

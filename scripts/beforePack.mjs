// electron-builder `beforePack` hook: refuses to package an OS/CPU for which no prebuilt
// llama.cpp binary is installed. npm installs node-llama-cpp's binaries as optional packages
// for the machine it runs on only, so an x64 DMG built on an Apple-silicon Mac (or a Windows
// installer built on Linux) would otherwise ship without any, and fail at first inference.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** electron-builder's Arch enum (builder-util): ia32, x64, armv7l, arm64, universal. */
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];
/** node-llama-cpp's package prefixes per Node platform (@node-llama-cpp/<os>-<arch>…). */
const OS_NAMES = { darwin: 'mac', mas: 'mac', win32: 'win', linux: 'linux' };

/** The @node-llama-cpp packages under `projectDir` with a llama-addon.node for os-arch. */
export function llamaBinaryPackages(projectDir, platform, arch) {
  const folder = join(projectDir, 'node_modules', '@node-llama-cpp');
  const prefix = `${OS_NAMES[platform] ?? platform}-${arch}`;
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter(
    (name) =>
      name.startsWith(prefix) &&
      existsSync(join(folder, name, 'bins')) &&
      readdirSync(join(folder, name, 'bins'), { recursive: true }).some((file) =>
        String(file).endsWith('llama-addon.node'),
      ),
  );
}

/** @param {{ electronPlatformName: string, arch: number, packager: { projectDir: string } }} context */
export default async function beforePack(context) {
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  const arches = arch === 'universal' ? ['x64', 'arm64'] : [arch];
  for (const each of arches) {
    const found = llamaBinaryPackages(
      context.packager.projectDir,
      context.electronPlatformName,
      each,
    );
    if (found.length === 0) {
      const wanted = `@node-llama-cpp/${OS_NAMES[context.electronPlatformName] ?? context.electronPlatformName}-${each}`;
      throw new Error(
        `No prebuilt llama.cpp binary for ${context.electronPlatformName}-${each}: ${wanted}* is not installed. ` +
          `Build this target on a ${context.electronPlatformName} ${each} machine, or install that package first ` +
          `(npm ci --os=${context.electronPlatformName} --cpu=${each}).`,
      );
    }
  }
}

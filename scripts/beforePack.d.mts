/** Types for beforePack.mjs (an electron-builder hook, kept as plain JS so it loads without tsx). */
export declare function llamaBinaryPackages(
  projectDir: string,
  platform: string,
  arch: string,
): string[];
export default function beforePack(context: {
  electronPlatformName: string;
  arch: number;
  packager: { projectDir: string };
}): Promise<void>;

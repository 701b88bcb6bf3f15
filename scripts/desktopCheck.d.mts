/** Types for desktopCheck.mjs (plain JS, so `npm start` runs before anything is built). */
type Env = Record<string, string | undefined>;
export type DesktopCheck = { ok: true; binary: string } | { ok: false; reason: string };
export declare function missingDisplay(platform: string, env: Env): string | null;
export declare function electronBinary(electronDir: string, env: Env): string | null;
export declare function causeOf(output: string): string;
export declare function fetchElectron(
  electronDir: string,
  env: Env,
  say: (line: string) => void,
): string | null;
export declare function electronRuns(binary: string, env: Env): string | null;
export declare function checkDesktop(options: {
  root: string;
  platform: string;
  env: Env;
  say: (line: string) => void;
}): DesktopCheck;

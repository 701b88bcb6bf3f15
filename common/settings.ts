/**
 * The provider's settings: one zod schema, kept by the engine with conf in the app (its
 * utilityProcess) and headless alike. Every field has a default, so `{}` parses to the defaults. Files
 * carry `version`; older versions are brought up to date by `migrateSettings`
 * (common/settingsMigrations.ts) before they are parsed.
 */
import { z } from 'zod';
import { modelPriceSchema, rewardSplitSchema } from './protocol.js';

export type { RewardSplit } from './protocol.js';

/** The version this build writes. */
export const SETTINGS_VERSION = 2;

/** `HH:MM`, 24-hour clock, local time. */
const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM (00:00–23:59)');

/**
 * A weekly window, in local time. `days` are 0 (Sunday) to 6 (Saturday) and name the day the
 * window starts; an `end` at or before `start` runs past midnight into the next day
 * (22:00–07:00 is overnight), and `start` equal to `end` is a whole day.
 */
export const weeklyWindowSchema = z.object({
  days: z.array(z.number().int().min(0).max(6)).min(1).max(7),
  start: clockTime,
  end: clockTime,
});
export type WeeklyWindow = z.infer<typeof weeklyWindowSchema>;

/**
 * - `idle`: serve only while nobody uses the machine;
 * - `always`: a dedicated machine;
 * - `scheduled`: only inside the weekly windows;
 * - `paused`: never, until the provider changes the mode.
 */
export const scheduleModeSchema = z.enum(['idle', 'always', 'scheduled', 'paused']);
export type ScheduleMode = z.infer<typeof scheduleModeSchema>;

export const scheduleSettingsSchema = z.object({
  mode: scheduleModeSchema.default('idle'),
  /** Idle mode starts serving only after this long without user input. */
  idleThresholdSeconds: z.number().int().min(0).max(86_400).default(300),
  windows: z.array(weeklyWindowSchema).max(64).default([]),
  /** "Pause for 1 h": no serving until this ISO time, whatever the mode; null when unset. */
  pausedUntil: z.iso.datetime({ offset: true }).nullable().default(null),
  pauseOnBattery: z.boolean().default(true),
  /** Pause while another program (a game, a render) uses the GPU. */
  pauseWhenGpuBusy: z.boolean().default(true),
  /** Pause above this GPU temperature; resume 5 °C below it. Null turns the rule off. */
  maxGpuTemperatureC: z.number().min(30).max(120).nullable().default(85),
  /** Unload models while paused, so that the VRAM is free for the provider. */
  freeVramWhenPaused: z.boolean().default(false),
  /**
   * On a planned pause (manual, schedule, battery, price), running jobs may finish within
   * this many seconds before they are cancelled. Urgent pauses (the user is back, the GPU is
   * wanted or too hot) cancel at once.
   */
  graceSeconds: z.number().int().min(0).max(3600).default(30),
});
export type ScheduleSettings = z.infer<typeof scheduleSettingsSchema>;

export const electricitySettingsSchema = z.object({
  /** Price of a kWh in USD; 0 leaves electricity out of the figures. */
  pricePerKwh: z.number().min(0).max(10).default(0),
  /** Declared draw while serving; null uses the GPU's measured draw when there is one. */
  watts: z.number().min(0).max(100_000).nullable().default(null),
  pauseWhenNetNegative: z.boolean().default(false),
});
export type ElectricitySettings = z.infer<typeof electricitySettingsSchema>;

export const pricingSettingsSchema = z.object({
  /** USD per 1M tokens for models without their own price. */
  default: modelPriceSchema.default({ prompt: 0.1, completion: 0.2 }),
  /** No model is offered below this, whatever its own price says. */
  floor: modelPriceSchema.default({ prompt: 0, completion: 0 }),
  /** Prices by model id. */
  models: z.record(z.string().min(1).max(128), modelPriceSchema).default({}),
  electricity: electricitySettingsSchema.default(electricitySettingsSchema.parse({})),
});
export type PricingSettings = z.infer<typeof pricingSettingsSchema>;

export const rewardSettingsSchema = z.object({
  split: rewardSplitSchema.default({ rewards: 100, exchange: 0, mission: 0 }),
  /** The cause that receives the mission share. */
  missionCause: z.string().max(128).nullable().default(null),
});
export type RewardSettings = z.infer<typeof rewardSettingsSchema>;

export const uiSettingsSchema = z.object({
  /** `system` follows the OS. */
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  /** `system` follows the OS language when it is one of ours. */
  language: z.enum(['system', 'en', 'fr']).default('system'),
});
export type UiSettings = z.infer<typeof uiSettingsSchema>;

export const updateSettingsSchema = z.object({
  /**
   * Where the app looks for new versions: a folder served over http(s) that holds the
   * `latest.yml` electron-builder writes (its "generic" provider). A lab's private gateway can
   * serve it. Null: the app does not look for updates.
   */
  feedURL: z
    .string()
    .max(2048)
    .refine(
      (value) => /^https?:\/\/[^\s/]+[^\s]*$/i.test(value),
      'must be an http:// or https:// URL, such as https://updates.example.com/byoi/',
    )
    .nullable()
    .default(null),
});
export type UpdateSettings = z.infer<typeof updateSettingsSchema>;

export const settingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION).default(SETTINGS_VERSION),
  schedule: scheduleSettingsSchema.default(scheduleSettingsSchema.parse({})),
  pricing: pricingSettingsSchema.default(pricingSettingsSchema.parse({})),
  rewards: rewardSettingsSchema.default(rewardSettingsSchema.parse({})),
  /** Log prompts and completions. Off unless the provider turns it on. */
  logPrompts: z.boolean().default(false),
  /** Ids of the models in the models folder to serve at start (the dashboard's choice). */
  servedModels: z.array(z.string().min(1).max(128)).max(64).default([]),
  /** The dashboard's onboarding is done (the app opens the overview from then on). */
  onboarded: z.boolean().default(false),
  /** The app starts at login (the shell applies it; on by default after onboarding). */
  startAtLogin: z.boolean().default(true),
  ui: uiSettingsSchema.default(uiSettingsSchema.parse({})),
  updates: updateSettingsSchema.default(updateSettingsSchema.parse({})),
});
export type Settings = z.infer<typeof settingsSchema>;

/** The settings with every default. */
export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}

/**
 * The object's fields without their defaults, all optional: a patch must name only what it
 * changes (zod 4 fills in defaults even inside optional fields).
 */
function patchOf<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>) {
  const fields = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [
      key,
      field instanceof z.ZodDefault ? field.unwrap() : field,
    ]),
  ) as { [K in keyof Shape]: Shape[K] extends z.ZodDefault<infer Inner> ? Inner : Shape[K] };
  return z.object(fields).partial();
}

/** A change to the settings: any subset of sections and fields. */
export const settingsPatchSchema = z.object({
  schedule: patchOf(scheduleSettingsSchema).optional(),
  pricing: z
    .object({
      default: modelPriceSchema.optional(),
      floor: modelPriceSchema.optional(),
      models: z.record(z.string().min(1).max(128), modelPriceSchema.nullable()).optional(),
      electricity: patchOf(electricitySettingsSchema).optional(),
    })
    .optional(),
  rewards: patchOf(rewardSettingsSchema).optional(),
  logPrompts: z.boolean().optional(),
  servedModels: z.array(z.string().min(1).max(128)).max(64).optional(),
  onboarded: z.boolean().optional(),
  startAtLogin: z.boolean().optional(),
  ui: patchOf(uiSettingsSchema).optional(),
  updates: patchOf(updateSettingsSchema).optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/**
 * Applies a patch: sections merge field by field; in `pricing.models` a null removes that
 * model's own price. The result is parsed again, so it is always valid or this throws.
 */
export function applySettingsPatch(settings: Settings, patch: SettingsPatch): Settings {
  const models = { ...settings.pricing.models };
  for (const [id, price] of Object.entries(patch.pricing?.models ?? {})) {
    if (price === null) delete models[id];
    else models[id] = price;
  }
  const flags = Object.fromEntries(
    (['logPrompts', 'onboarded', 'startAtLogin', 'servedModels'] as const)
      .filter((key) => patch[key] !== undefined)
      .map((key) => [key, patch[key]]),
  );
  return settingsSchema.parse({
    ...settings,
    ...flags,
    ui: { ...settings.ui, ...patch.ui },
    updates: { ...settings.updates, ...patch.updates },
    schedule: { ...settings.schedule, ...patch.schedule },
    pricing: {
      ...settings.pricing,
      ...(patch.pricing?.default ? { default: patch.pricing.default } : {}),
      ...(patch.pricing?.floor ? { floor: patch.pricing.floor } : {}),
      models,
      electricity: { ...settings.pricing.electricity, ...patch.pricing?.electricity },
    },
    rewards: { ...settings.rewards, ...patch.rewards },
  });
}

/** The price a model is offered at: its own or the default, never below the floor. */
export function effectivePrice(pricing: PricingSettings, model: string) {
  const own = pricing.models[model] ?? pricing.default;
  return {
    prompt: Math.max(own.prompt, pricing.floor.prompt),
    completion: Math.max(own.completion, pricing.floor.completion),
  };
}

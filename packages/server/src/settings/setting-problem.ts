/** One bad setting: which, where it came from, and a message that says what to fix. */
export interface SettingProblem {
  setting: string;
  source: string;
  message: string;
}

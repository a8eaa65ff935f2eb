/**
 * The `notify_url` rule (https, at most 256 characters) without a validator library: the notify
 * function reads NOTIFY_URL through lib/environment.ts and must not bundle a validator.
 */
export const NOTIFY_URL_MAX_LENGTH = 256;

export const isHttpsUrl = (value: string): boolean => URL.canParse(value) && new URL(value).protocol === 'https:';

export const isNotifyUrl = (value: string): boolean => value.length <= NOTIFY_URL_MAX_LENGTH && isHttpsUrl(value);

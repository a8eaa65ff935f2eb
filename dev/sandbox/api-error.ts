/** `detail` of a WeChat Pay error answer: which field of the request is wrong. */
export interface ApiErrorDetail {
  /** A JSON Pointer into the body or the name of a query or path parameter (WeChat Pay's basic rules): `/time_range/start_time`; `` for the whole body. */
  field: string;
  value?: unknown;
  issue: string;
  location: 'body' | 'header' | 'path' | 'query';
}

/** An answer in WeChat Pay's error shape: `{code, message, detail?}` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: ApiErrorDetail,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON(): { code: string; message: string; detail?: ApiErrorDetail } {
    return { code: this.code, message: this.message, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

export const signError = (message: string): ApiError => new ApiError(401, 'SIGN_ERROR', message);

/** A dotted path (`time_range.start_time`, `body` for the whole body) as the JSON Pointer WeChat Pay names fields with. */
export const jsonPointer = (dotted: string): string => (dotted === 'body' ? '' : `/${dotted.split('.').join('/')}`);

/** `400 PARAM_ERROR` about one body field, given as a dotted path. */
export const paramError = (detail: Omit<ApiErrorDetail, 'location'> & { location?: ApiErrorDetail['location'] }): ApiError => {
  const location = detail.location ?? 'body';
  const field = location === 'body' ? jsonPointer(detail.field) : detail.field;
  return new ApiError(400, 'PARAM_ERROR', `${field || 'the body'} ${detail.issue}`, { ...detail, field, location });
};

export const invalidRequest = (message: string): ApiError => new ApiError(400, 'INVALID_REQUEST', message);

export const noAuth = (message: string): ApiError => new ApiError(403, 'NO_AUTH', message);

export const notFound = (message: string): ApiError => new ApiError(404, 'NOT_FOUND', message);

export const systemError = (): ApiError => new ApiError(500, 'SYSTEM_ERROR', 'system error, please retry with the same request');

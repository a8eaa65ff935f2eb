/** `detail` of a WeChat Pay error answer: which field of the request is wrong. */
export interface ApiErrorDetail {
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

export const paramError = (detail: ApiErrorDetail): ApiError => new ApiError(400, 'PARAM_ERROR', `${detail.field} ${detail.issue}`, detail);

export const invalidRequest = (message: string): ApiError => new ApiError(400, 'INVALID_REQUEST', message);

export const noAuth = (message: string): ApiError => new ApiError(403, 'NO_AUTH', message);

export const notFound = (message: string): ApiError => new ApiError(404, 'NOT_FOUND', message);

export const systemError = (): ApiError => new ApiError(500, 'SYSTEM_ERROR', 'system error, please retry with the same request');

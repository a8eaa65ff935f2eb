/**
 * The pretend AWS account the local stand-ins live in. The credentials only
 * need to exist: the stand-ins do not verify signatures.
 */
export const LOCAL_REGION = 'ap-southeast-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

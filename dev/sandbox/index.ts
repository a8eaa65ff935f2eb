/** The WeChat Pay sandbox (issue 3): a local stand-in for WeChat Pay's sign-plan service order API and its notifications. */
export { sandboxAccountsFromDevKeys, type AccountKind, type SandboxAccount } from './accounts';
export type { DeliveryAttempt, DeliveryOutcome, DeliveryPlan, DeliveryRecord } from './deliveries';
export { CREATE_FAULT_KINDS, type CreateFaultKind, type Fault, type FaultInput } from './faults';
export { USER_CONFIRM, USER_PAID, type NotificationRequest } from './notification';
export type { OrderState, Payment, SandboxOrder } from './order';
export type { SandboxOptions } from './options';
export type { SigningMode } from './response-signing';
export { WECHATPAY_RETRY_DELAYS_MS } from './retry-schedule';
export type { PlatformCertificateInfo, SendNotification, SignedNotification } from './sandbox-core';
export { startSandbox, type Sandbox } from './server';

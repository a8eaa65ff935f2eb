/** The WeChat Pay sandbox (issues 3, 17): a local stand-in for WeChat Pay's sign-plan API (plans, user sign plans, service orders) and its notifications. */
export { sandboxAccountsFromDevKeys, type AccountKind, type SandboxAccount } from './accounts';
export type { DeliveryAttempt, DeliveryOutcome, DeliveryPlan, DeliveryRecord } from './deliveries';
export { CREATE_FAULT_KINDS, type CreateFaultKind, type Fault, type FaultInput } from './faults';
export { USER_CANCEL_SIGN_PLAN, USER_CONFIRM, USER_PAID, USER_SIGN_PLAN, type NotificationRequest } from './notification';
export type { DeductionPlan, OrderState, Payment, SandboxOrder, StateDescription } from './order';
export { DEDUCTION_DELAY_MS, type SandboxOptions } from './options';
export type { SigningMode } from './response-signing';
export { SIGN_PLAN_RETRY_DELAYS_MS, WECHATPAY_RETRY_DELAYS_MS } from './retry-schedule';
export type { PlatformCertificateInfo, SeededSignPlan, SeedSignPlan, SendNotification, SignedNotification } from './sandbox-core';
export type { CancelSignType, PlanDetailState, PlanState, SignState } from './sign-plan';
export { startSandbox, type Sandbox } from './server';

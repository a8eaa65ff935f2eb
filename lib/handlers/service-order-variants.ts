/** What differs between the direct-merchant and the partner create function. */
import { merchantServiceOrderSchema, partnerServiceOrderSchema, type MerchantServiceOrderRequest, type PartnerServiceOrderRequest, type Schema } from '../service-order/schema';
import { SERVICE_ORDER_PATHS } from '../service-order/wechatpay-paths';

export interface ServiceOrderVariant<T> {
  name: 'merchant' | 'partner';
  schema: Schema<T>;
  /** WeChat Pay's endpoint (SPEC "What the system does"). */
  wechatpayPath: string;
  subMchid(order: T): string | undefined;
  /** The user id of the order, for a hashed log reference. */
  openid(order: T): string;
}

export const merchantServiceOrder: ServiceOrderVariant<MerchantServiceOrderRequest> = {
  name: 'merchant',
  schema: merchantServiceOrderSchema,
  wechatpayPath: SERVICE_ORDER_PATHS.merchant,
  subMchid: () => undefined,
  openid: (order) => order.openid,
};

export const partnerServiceOrder: ServiceOrderVariant<PartnerServiceOrderRequest> = {
  name: 'partner',
  schema: partnerServiceOrderSchema,
  wechatpayPath: SERVICE_ORDER_PATHS.partner,
  subMchid: (order) => order.sub_mchid,
  openid: (order) => (order.openid ?? order.sub_openid)!,
};

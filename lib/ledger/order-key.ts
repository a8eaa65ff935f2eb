/** Which account an order belongs to: a direct merchant, or a service provider acting for a sub-merchant. */
export interface OrderKey {
  mchid: string;
  subMchid?: string | undefined;
  outOrderNo: string;
}

/** One item per order; merchant, sub-merchant and order number together, so accounts never collide. */
export const orderPartitionKey = (key: OrderKey): string => `ORDER#${key.mchid}#${key.subMchid ?? ''}#${key.outOrderNo}`;

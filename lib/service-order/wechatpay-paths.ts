/** WeChat Pay's sign-plan service order endpoints (SPEC "What the system does"), by account kind. Validator-free, so a bundle may take them alone. */
export const SERVICE_ORDER_PATHS = {
  merchant: '/v3/payscore/sign-plan/serviceorder',
  partner: '/v3/payscore/sign-plan/partner/serviceorder',
} as const;

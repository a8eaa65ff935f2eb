// Types for the three modules the peer imports by path: the package types only its root.
declare module 'wechatpay-axios-plugin/lib/rsa.js' {
  import { Rsa } from 'wechatpay-axios-plugin';
  export default Rsa;
}
declare module 'wechatpay-axios-plugin/lib/aes.js' {
  import { Aes } from 'wechatpay-axios-plugin';
  export default Aes;
}
declare module 'wechatpay-axios-plugin/lib/formatter.js' {
  import { Formatter } from 'wechatpay-axios-plugin';
  export default Formatter;
}

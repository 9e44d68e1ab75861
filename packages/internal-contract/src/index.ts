export { type ConvertData, ConvertDataProperties, ForwardedConvertBody } from "./convert-body";
export { INTERNAL_HEADERS, OwnerHeaders } from "./headers";
export { CONVERTER_PATHS } from "./paths";
export { converterCallTimeoutMs } from "./timeouts";
export { type UploadOptions, UploadQuery } from "./upload-query";

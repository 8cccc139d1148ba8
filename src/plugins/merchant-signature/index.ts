export { merchantSignature, createMerchantSignature, SIGNATURE_CHALLENGE, type MerchantSignatureOptions, type MerchantSignatureState } from './handler.js'
export { merchantSignatureSchema, SIGNATURE_SCHEMES, type MerchantSignatureConfig, type SignatureScheme } from './schema.js'
export { LruNonceStore, type NonceStore } from './nonce-store.js'
export { signRequest, signCompatParams, canonicalString, canonicalQuery, TG_HEADERS, type SignRequestInput, type SignedHeaders } from './sign.js'

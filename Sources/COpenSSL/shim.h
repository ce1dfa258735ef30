// The system's OpenSSL (libssl 3), for TLS only. What OpenSSL writes as macros is wrapped here in
// static inline functions so Swift can call it.
#ifndef HEALTHD_COPENSSL_SHIM_H
#define HEALTHD_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static inline int healthd_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int healthd_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// A memory BIO that says "retry" when empty instead of EOF: the peer simply has not sent more yet.
static inline void healthd_BIO_set_mem_eof_retry(BIO *bio) { (void)BIO_set_mem_eof_return(bio, -1); }

static inline int healthd_TLS1_2_VERSION(void) { return TLS1_2_VERSION; }

static inline void healthd_OPENSSL_free(void *p) { OPENSSL_free(p); }

static inline int healthd_sk_X509_num(const STACK_OF(X509) *sk) { return sk_X509_num(sk); }
static inline X509 *healthd_sk_X509_value(const STACK_OF(X509) *sk, int i) { return sk_X509_value(sk, i); }

/// The leaf's subjectAltName DNS names and IP addresses, written one per call into `out`
/// (NUL-terminated, cut to `cap`); returns how many names there are, or -1 past the last.
static inline int healthd_subject_alt_name(X509 *cert, int index, char *out, size_t cap) {
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) return -1;
    int count = sk_GENERAL_NAME_num(names);
    int result = -1;
    if (index < count && cap > 0) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, index);
        out[0] = 0;
        if (name->type == GEN_DNS) {
            const unsigned char *s = ASN1_STRING_get0_data(name->d.dNSName);
            int len = ASN1_STRING_length(name->d.dNSName);
            size_t n = (size_t)len < cap - 1 ? (size_t)len : cap - 1;
            memcpy(out, s, n);
            out[n] = 0;
        } else if (name->type == GEN_IPADD) {
            const unsigned char *a = ASN1_STRING_get0_data(name->d.iPAddress);
            int len = ASN1_STRING_length(name->d.iPAddress);
            if (len == 4) {
                snprintf(out, cap, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
            } else if (len == 16) {
                size_t at = 0;
                for (int i = 0; i < 16 && at + 6 < cap; i += 2)
                    at += (size_t)snprintf(out + at, cap - at, i ? ":%x" : "%x", (a[i] << 8) | a[i + 1]);
            }
        }
        result = count;
    }
    GENERAL_NAMES_free(names);
    return result;
}

/// Seconds since the epoch of an ASN1_TIME, or INT64_MIN if it cannot be read.
static inline long long healthd_asn1_time_epoch(const ASN1_TIME *t) {
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) return (long long)INT64_MIN;
    return (long long)timegm(&tm);
}

/// A distinguished name as `CN=…, O=…` (RFC 2253 order, comma and space), into `out`.
static inline void healthd_name_text(const X509_NAME *name, char *out, size_t cap) {
    out[0] = 0;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return;
    unsigned long flags = (XN_FLAG_RFC2253 & ~XN_FLAG_SEP_MASK & ~ASN1_STRFLGS_ESC_MSB) | XN_FLAG_SEP_CPLUS_SPC;
    if (X509_NAME_print_ex(bio, name, 0, flags) >= 0) {
        int n = BIO_read(bio, out, (int)(cap - 1));
        out[n > 0 ? n : 0] = 0;
    }
    BIO_free(bio);
}

/// The digest NID of the certificate's signature algorithm (for tls-server-end-point), or NID_undef.
static inline int healthd_signature_digest_nid(const X509 *cert) {
    int md = NID_undef, pk = NID_undef;
    if (!OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md, &pk)) return NID_undef;
    return md;
}

#endif

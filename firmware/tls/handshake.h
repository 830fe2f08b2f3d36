/* Handshake messages: building ours, checking the server's. */
#ifndef TLS_HANDSHAKE_H
#define TLS_HANDSHAKE_H

#include "tls.h"

enum tls_error hs_send_client_hello(struct tls_client *c);
/* Handles one complete handshake message (header included). */
enum tls_error hs_handle(struct tls_client *c, uint8_t type, const uint8_t *msg, size_t len);
enum tls_error hs_send_key_update(struct tls_client *c);

#endif

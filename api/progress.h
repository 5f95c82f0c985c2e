/* api/progress.h: Docker's JSON message stream (jsonmessage.JSONMessage),
 * the body of load, import, pull, push and build answers: one JSON object
 * per message, written as Go's encoding/json writes it (struct field order,
 * HTML escaping) and ended with "\r\n" as the daemon's streamformatter does.
 */
#ifndef ENGINE_API_PROGRESS_H
#define ENGINE_API_PROGRESS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

/* {"stream":text} */
void api_msg_stream(strbuf *sb, const char *text);
/* {"status":status,"id":id} (id omitted when NULL or "") */
void api_msg_status(strbuf *sb, const char *id, const char *status);
/* {"status":action,"progressDetail":{"current","total"},"progress":bar,"id":id} */
void api_msg_progress(strbuf *sb, const char *id, const char *action, int64_t current,
		      int64_t total);
/* {"status":status,"progressDetail":{},"id":id}: the layer lines of pull and push */
void api_msg_status_detail(strbuf *sb, const char *id, const char *status);
/* {"progressDetail":{},"aux":aux} (push's {Tag,Digest,Size}); does not take aux */
void api_msg_aux(strbuf *sb, json_object *aux);
/* {"errorDetail":{"message":m},"error":m}: the stream's last message */
void api_msg_error(strbuf *sb, const char *message);

/* jsonmessage.JSONProgress.String(): "[=====>     ]  1.2MB/3.4MB"; "" when
 * both are 0; only the count when total is unknown. The bar is drawn when
 * with_bar (the daemon: no terminal, width 200; the CLI: a terminal wider
 * than 110 columns). Caller frees. */
char *api_progress_bar(int64_t current, int64_t total, bool with_bar);

#endif

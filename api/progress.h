/* api/progress.h: Docker's JSON message stream (jsonmessage.JSONMessage),
 * the body of load, import, pull, push and build answers: one JSON object
 * per message, written as Go's encoding/json writes it (struct field order,
 * HTML escaping) and ended with "\r\n" as the daemon's streamformatter does.
 */
#ifndef ENGINE_API_PROGRESS_H
#define ENGINE_API_PROGRESS_H

#include <json-c/json.h>
#include <stdint.h>

#include "strbuf.h"

/* {"stream":text} */
void api_msg_stream(strbuf *sb, const char *text);
/* {"status":status,"id":id} (id omitted when NULL or "") */
void api_msg_status(strbuf *sb, const char *id, const char *status);
/* {"status":action,"progressDetail":{"current","total"},"progress":bar,"id":id} */
void api_msg_progress(strbuf *sb, const char *id, const char *action, int64_t current,
		      int64_t total);
/* {"errorDetail":{"message":m},"error":m}: the stream's last message */
void api_msg_error(strbuf *sb, const char *message);

/* jsonmessage.JSONProgress.String() as a daemon renders it (no terminal:
 * width 200, so with the bar): "[=====>     ]  1.2MB/3.4MB"; "" when both
 * are 0; only the count when total is unknown. Caller frees. */
char *api_progress_bar(int64_t current, int64_t total);

#endif

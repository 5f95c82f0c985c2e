/* images.h: the core's side of the image store (daemon/image): opening it
 * over the data root with Docker's image events and the hooks through
 * which the store asks which containers use an image. */
#ifndef ENGINE_CORE_IMAGES_H
#define ENGINE_CORE_IMAGES_H

#include "engine.h"
#include "err.h"
#include "image.h"

/* Opens (and repairs) the store under e->data_root. */
img_store *engine_images_open(engine *e, err_t **err);

#endif

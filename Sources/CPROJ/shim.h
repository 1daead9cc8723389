#include <proj.h>
// proj_create_ellipsoidal_2D_cs, proj_create_geographic_crs_from_datum (the RDNAPTRANS2018 pipeline).
#include <proj_experimental.h>

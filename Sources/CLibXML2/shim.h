/* Debian builds libxml2 with ICU; its headers then clash with Foundation's ICU module. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xmlerror.h>
#include <libxml/entities.h>
#include <libxml/uri.h>
#include <libxml/parserInternals.h>
#include <libxml/xpath.h>

/* xmlFree is a global function pointer, which Swift cannot call directly. */
static inline void tributary_xml_free(void *p) { xmlFree(p); }

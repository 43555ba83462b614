/* libxml2's own speed over a folder of feeds: its push parser with SAX callbacks that do nothing, one
   parser per file, best of three passes, in MB per CPU-second. This is the ceiling for any parser built on
   libxml2 on this machine (Tributary adds building the items, sanitizing their HTML and validating text).

     cc -O2 $(pkg-config --cflags libxml-2.0) Benchmarks/libxml2-sax-floor.c $(pkg-config --libs libxml-2.0) -o /tmp/sax-floor
     /tmp/sax-floor ../shared/bench's corpus/n1000/feeds                                                    */
#include <dirent.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void characters(void *context, const xmlChar *text, int length) { (void)context; (void)text; (void)length; }
static void start(void *c, const xmlChar *l, const xmlChar *p, const xmlChar *u, int nn, const xmlChar **ns, int na, int nd,
                  const xmlChar **a) { (void)c; (void)l; (void)p; (void)u; (void)nn; (void)ns; (void)na; (void)nd; (void)a; }
static void end(void *c, const xmlChar *l, const xmlChar *p, const xmlChar *u) { (void)c; (void)l; (void)p; (void)u; }

static int is_feed(const char *name) {
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".rss") == 0) || (n > 5 && strcmp(name + n - 5, ".atom") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".xml") == 0);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s FOLDER\n", argv[0]); return 2; }
    DIR *folder = opendir(argv[1]);
    if (!folder) { perror(argv[1]); return 1; }
    size_t capacity = 1024, count = 0, total = 0;
    char **bodies = malloc(capacity * sizeof *bodies);
    long *sizes = malloc(capacity * sizeof *sizes);
    struct dirent *entry;
    while ((entry = readdir(folder))) {
        if (!is_feed(entry->d_name)) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], entry->d_name);
        FILE *file = fopen(path, "rb");
        if (!file) continue;
        fseek(file, 0, SEEK_END);
        long size = ftell(file);
        fseek(file, 0, SEEK_SET);
        if (count == capacity) {
            capacity *= 2;
            bodies = realloc(bodies, capacity * sizeof *bodies);
            sizes = realloc(sizes, capacity * sizeof *sizes);
        }
        bodies[count] = malloc(size);
        sizes[count] = (long)fread(bodies[count], 1, size, file);
        total += sizes[count++];
        fclose(file);
    }
    closedir(folder);
    xmlSAXHandler handler;
    memset(&handler, 0, sizeof handler);
    handler.initialized = XML_SAX2_MAGIC;
    handler.startElementNs = start;
    handler.endElementNs = end;
    handler.characters = characters;
    handler.cdataBlock = characters;
    double best = 1e9;
    for (int pass = 0; pass < 3; pass++) {
        double began = cpu_seconds();
        for (size_t i = 0; i < count; i++) {
            xmlParserCtxtPtr parser = xmlCreatePushParserCtxt(&handler, NULL, NULL, 0, NULL);
            xmlCtxtUseOptions(parser, XML_PARSE_NONET);
            xmlParseChunk(parser, bodies[i], (int)sizes[i], 1);
            xmlFreeParserCtxt(parser);
        }
        double spent = cpu_seconds() - began;
        if (spent < best) best = spent;
    }
    printf("%zu files, %.1f MB: %.3f CPU-s, %.1f MB per CPU-second\n", count, total / 1e6, best, total / best / 1e6);
    return 0;
}

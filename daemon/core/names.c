/* names.c: see names.h. The word lists are ours: common adjectives and
 * people who shaped computing, mathematics and the sciences. */
#include "names.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "xalloc.h"

static const char *const adjectives[] = {
	"admiring", "agile", "amazing", "awesome", "blissful", "bold", "brave", "busy", "calm",
	"charming", "clever", "cool", "compassionate", "confident", "curious", "dazzling",
	"determined", "distracted", "dreamy", "eager", "ecstatic", "elastic", "elegant",
	"eloquent", "epic", "exciting", "fervent", "festive", "flamboyant", "focused", "friendly",
	"frosty", "funny", "gallant", "gifted", "goofy", "gracious", "great", "happy", "hardcore",
	"heuristic", "hopeful", "hungry", "infallible", "inspiring", "intelligent", "interesting",
	"jolly", "jovial", "keen", "kind", "laughing", "loving", "lucid", "magical", "modest",
	"musing", "mystifying", "naughty", "nervous", "nice", "nifty", "nostalgic", "objective",
	"optimistic", "peaceful", "pedantic", "pensive", "practical", "priceless", "quirky",
	"quizzical", "relaxed", "reverent", "romantic", "serene", "sharp", "silly", "sleepy",
	"stoic", "strange", "sweet", "tender", "thirsty", "trusting", "upbeat", "vibrant",
	"vigilant", "vigorous", "wizardly", "wonderful", "youthful", "zealous", "zen",
};

static const char *const surnames[] = {
	"agnesi", "al-khwarizmi", "allen", "archimedes", "babbage", "backus", "banach", "bardeen",
	"bartik", "bell", "bohr", "boole", "borg", "brahmagupta", "brattain", "cantor", "carson",
	"cerf", "chandrasekhar", "clarke", "codd", "conway", "copernicus", "cray", "curie",
	"darwin", "dijkstra", "dirac", "easley", "einstein", "engelbart", "euclid", "euler",
	"faraday", "fermat", "fermi", "feynman", "franklin", "galileo", "gauss", "germain",
	"goldberg", "goodall", "gould", "hamilton", "hawking", "heisenberg", "hertz", "hodgkin",
	"hopper", "hypatia", "jackson", "johnson", "kalam", "kapitsa", "kepler", "khorana",
	"knuth", "kowalevski", "lamarr", "lamport", "leakey", "leavitt", "liskov", "lovelace",
	"lumiere", "mahavira", "maxwell", "mayer", "mccarthy", "meitner", "mendel", "merkle",
	"mirzakhani", "morse", "napier", "newton", "noether", "noyce", "pascal", "pasteur",
	"payne", "perlman", "pike", "planck", "poincare", "ramanujan", "ritchie", "rubin",
	"saha", "sammet", "shannon", "shockley", "sinoussi", "snyder", "stallman", "swanson",
	"tesla", "thompson", "torvalds", "turing", "varahamihira", "volhard", "wilson", "wing",
	"wozniak", "wright", "wu", "yalow", "yonath",
};

static unsigned rand_below(unsigned n)
{
	unsigned v = 0;
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		v = (unsigned)ts.tv_nsec ^ (unsigned)getpid();
	}
	return v % n;
}

void names_new_id(char out[65])
{
	unsigned char raw[32];
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	for (; got < sizeof(raw); got++)
		raw[got] = (unsigned char)rand_below(256);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	/* Docker avoids IDs whose short form is all digits (it reads as a number). */
	if (strspn(out, "0123456789") >= 12)
		out[0] = 'a';
	out[64] = '\0';
}

char *names_generate(unsigned attempt)
{
	const char *a = adjectives[rand_below(sizeof(adjectives) / sizeof(adjectives[0]))];
	const char *s = surnames[rand_below(sizeof(surnames) / sizeof(surnames[0]))];
	if (attempt == 0)
		return xasprintf("%s_%s", a, s);
	return xasprintf("%s_%s%u", a, s, rand_below(10));
}

static bool name_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '_' || c == '.' || c == '-');
}

bool names_valid(const char *name)
{
	if (name[0] == '/')
		name++;
	size_t n = strlen(name);
	if (n < 2 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(name[i], i == 0))
			return false;
	return true;
}

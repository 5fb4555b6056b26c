#include "words.h"

#define LIST(name, ...) static const char *const name[] = {__VA_ARGS__}
#define N(a) (unsigned)(sizeof(a) / sizeof((a)[0]))
#define WL(a) \
    { a, N(a) }

LIST(art_n, "Watercolor Painting", "Abstract Art", "Mixed Media Collage", "Sketchbook Page", "Acrylic Pour",
     "Art Journal", "Charcoal Portrait", "Linocut Print", "Street Art Mural");
LIST(art_h, "Paint a Watercolor Sky", "Start an Art Journal", "Blend Colored Pencils", "Draw Realistic Eyes");
LIST(art_t, "Mixed Media", "Art Journaling", "Collage", "Watercolor", "Painting", "Drawing", "Sketchbook",
     "Abstract Art", "Acrylic Painting", "Art Inspiration", "Illustration", "Portrait", "Printmaking", "Art Projects");

LIST(beauty_n, "Everyday Makeup Look", "Skincare Routine", "Braided Hairstyle", "Nail Art", "Smokey Eye",
     "Curly Hair Care", "Glowing Skin", "Lip Color");
LIST(beauty_h, "Contour for Beginners", "Grow Long Healthy Hair", "Do a Gel Manicure at Home",
     "Build a Skincare Routine");
LIST(beauty_t, "Makeup", "Skincare", "Hairstyles", "Nail Art", "Beauty Tips", "Natural Makeup", "Eye Makeup",
     "Hair Care", "Braids", "Nails", "Glowing Skin", "Beauty Hacks", "Lipstick");

LIST(xmas_n, "Christmas Tree", "Advent Calendar", "Holiday Table", "Gingerbread House", "Christmas Wreath",
     "Stocking Stuffers", "Festive Mantel", "Christmas Cookies");
LIST(xmas_h, "Decorate a Christmas Tree", "Wrap Gifts Like a Pro", "Make a Paper Star", "Bake Gingerbread Cookies");
LIST(xmas_t, "Christmas Decor", "Christmas Crafts", "Holiday Decor", "Christmas Tree", "Christmas Gifts", "Xmas",
     "Christmas Cookies", "Winter", "Festive", "Ornaments", "Wreaths", "No\xc3\xabl", "Advent");

LIST(diy_n, "Mason Jar Craft", "Macrame Wall Hanging", "Paper Flowers", "Upcycled Furniture", "Resin Coasters",
     "Crochet Blanket", "Felt Ornaments", "Scrapbook Layout");
LIST(diy_h, "Make Macrame Knots", "Sew a Tote Bag", "Upcycle an Old Dresser", "Make Paper Roses");
LIST(diy_t, "DIY", "Crafts", "Crafts For Kids", "Upcycling", "Macrame", "Crochet", "Sewing", "Paper Crafts", "Home DIY",
     "Resin Art", "Knitting", "Handmade", "Scrapbooking");

LIST(edu_n, "Math Worksheet", "Classroom Decor", "Reading Comprehension", "Science Experiment", "Study Notes",
     "Bulletin Board", "Phonics Game", "History Timeline");
LIST(edu_h, "Teach Fractions", "Take Better Notes", "Set Up a Homeschool Room", "Study for Exams");
LIST(edu_t, "Education", "Teaching", "Classroom", "Homeschool", "Study Tips", "Learning", "Math", "Science", "Reading",
     "Teacher Resources", "Kindergarten", "Worksheets", "Study Motivation");

LIST(event_n, "Wedding Reception", "Birthday Party Theme", "Baby Shower", "Balloon Garland", "Table Centerpiece",
     "Bridal Shower", "Dessert Table", "Graduation Party");
LIST(event_h, "Plan a Wedding on a Budget", "Make a Balloon Arch", "Host a Garden Party", "Set a Buffet Table");
LIST(event_t, "Event Planning", "Party Ideas", "Wedding", "Birthday Party", "Baby Shower", "Party Decorations",
     "Centerpieces", "Wedding Decorations", "Balloon Garland", "Party Planning", "Bridal Shower", "Celebration");

LIST(fin_n, "Budget Planner", "Savings Challenge", "Debt Payoff Plan", "Side Hustle", "Investing Basics",
     "Money Saving Tips", "Monthly Budget", "Frugal Living");
LIST(fin_h, "Save $1,000 in 30 Days", "Pay Off Debt Fast", "Start Investing With $100", "Make a Budget That Works");
LIST(fin_t, "Personal Finance", "Budgeting", "Saving Money", "Money Tips", "Debt Free", "Investing", "Side Hustle",
     "Frugal Living", "Financial Freedom", "Money Management", "Budget Planner", "Make Money Online");

LIST(home_n, "Living Room", "Boho Bedroom", "Farmhouse Kitchen", "Gallery Wall", "Small Space Storage",
     "Scandinavian Interior", "Bathroom Makeover", "Cozy Reading Nook");
LIST(home_h, "Style a Bookshelf", "Hang a Gallery Wall", "Choose Paint Colors", "Make a Small Room Feel Bigger");
LIST(home_t, "Home Decor", "Interior Design", "Living Room", "Bedroom Decor", "Farmhouse", "Boho Decor",
     "Kitchen Design", "Home Ideas", "Apartment Decor", "Cozy Home", "Scandinavian", "DIY Home Decor");

LIST(mens_n, "Casual Outfit", "Smart Casual Look", "Streetwear Fit", "Classic Suit", "Leather Jacket",
     "Minimalist Wardrobe", "Summer Outfit", "Sneaker Rotation");
LIST(mens_h, "Tie a Tie", "Build a Capsule Wardrobe", "Dress for Your Body Type", "Wear a Denim Jacket");
LIST(mens_t, "Mens Fashion", "Men's Style", "Outfits", "Streetwear", "Casual Outfits", "Menswear", "Suits", "Sneakers",
     "Fashion", "Style Inspiration", "Mens Outfits", "Capsule Wardrobe");

LIST(quotes_n, "Motivational Quote", "Life Quote", "Love Quote", "Inspirational Saying", "Positive Affirmation",
     "Friendship Quote", "Morning Motivation", "Self Love Reminder");
LIST(quotes_h, "Stay Positive Every Day", "Believe in Yourself", "Let Go of the Past", "Start Your Morning Right");
LIST(quotes_t, "Quotes", "Inspirational Quotes", "Motivational Quotes", "Life Quotes", "Love Quotes", "Positive Quotes",
     "Quotes To Live By", "Self Love", "Affirmations", "Words", "Wisdom", "Mindset");

LIST(tattoo_n, "Small Tattoo", "Fine Line Tattoo", "Floral Sleeve", "Minimalist Tattoo", "Geometric Tattoo",
     "Script Tattoo", "Watercolor Tattoo", "Japanese Tattoo");
LIST(tattoo_h, "Care for a New Tattoo", "Choose Tattoo Placement", "Design Your First Tattoo",
     "Prepare for a Tattoo Session");
LIST(tattoo_t, "Tattoos", "Tattoo Ideas", "Small Tattoos", "Tattoo Designs", "Fine Line Tattoo", "Minimalist Tattoo",
     "Flower Tattoo", "Sleeve Tattoo", "Body Art", "Ink", "Tattoo Inspiration", "Tattoos For Women");

LIST(travel_n, "Travel Destination", "Beach Getaway", "Road Trip Itinerary", "Packing List", "Hidden Gem", "City Guide",
     "Mountain Hike", "Weekend Escape");
LIST(travel_h, "Pack a Carry-On", "Travel on a Budget", "Plan a Road Trip", "Find Cheap Flights");
LIST(travel_t, "Travel", "Travel Destinations", "Travel Tips", "Wanderlust", "Vacation", "Places To Visit", "Road Trip",
     "Beach", "Adventure", "Travel Photography", "Europe Travel", "Backpacking");

LIST(veh_n, "Classic Car", "Sports Car", "Camper Van", "Motorcycle Build", "Off-Road Truck", "Electric Car",
     "Vintage Bike", "Car Interior");
LIST(veh_h, "Detail Your Car", "Convert a Van", "Change Your Oil", "Restore a Classic Car");
LIST(veh_t, "Cars", "Classic Cars", "Sports Cars", "Motorcycles", "Trucks", "Vans", "Car Accessories", "Auto",
     "Vehicles", "Dream Cars", "Off Road", "Van Life");

#define CAT(name, w, p) \
    { name, w, p##_n, N(p##_n), p##_h, N(p##_h), p##_t, N(p##_t) }

/* Weights (per mille) sum to 1000: skewed like the public sample, not uniform. */
const pp_category_words pp_words_categories[PP_N_CATEGORIES] = {
    CAT("art", 120, art),          CAT("beauty", 60, beauty),
    CAT("christmas", 95, xmas),    CAT("diy-and-crafts", 110, diy),
    CAT("education", 70, edu),     CAT("event-planning", 85, event),
    CAT("finance", 45, fin),       CAT("home-decor", 100, home),
    CAT("mens-fashion", 55, mens), CAT("quotes", 80, quotes),
    CAT("tattoos", 90, tattoo),    CAT("travel", 65, travel),
    CAT("vehicles", 25, veh),
};

LIST(adjectives, "Easy", "Cozy", "Simple", "Beautiful", "Modern", "Vintage", "Minimalist", "Creative", "Cute",
     "Stunning", "Budget-Friendly", "Aesthetic", "Rustic", "Colorful", "Elegant", "Caf\xc3\xa9-Style", "Ros\xc3\xa9",
     "Cr\xc3\xa8me", "Na\xc3\xafve",
     "\xc3\x9c"
     "ber-Simple");
const pp_word_list pp_words_adjectives = WL(adjectives);

LIST(audiences, "Beginners", "Kids", "Small Spaces", "the Weekend", "Busy Moms", "Students", "Everyone",
     "Tiny Budgets");
const pp_word_list pp_words_audiences = WL(audiences);

LIST(sentences, "Find and save ideas about %n on Pinterest.", "%A %n you can make this weekend.",
     "Click through for the full tutorial.", "Our favourite %n ideas, all in one place.", "Save this pin for later!",
     "%N tips that actually work.", "Follow for more %n inspiration.", "Shop the look \xe2\x80\x94 links below.",
     "It's easier than you think.", "Affiliate links included; see my blog for details.",
     "I tried this %n and it turned out %a.", "Read the \"%n\" guide before you start.");
const pp_word_list pp_words_sentences = WL(sentences);

LIST(first_names, "Emma", "Zo\xc3\xab", "Jos\xc3\xa9", "Li Wei", "Ana", "Chlo\xc3\xa9", "Maya", "S\xc3\xb8ren", "Aisha",
     "Mateo", "Hannah", "Noah", "Yuki", "Olivia", "Liam", "Priya", "Bj\xc3\xb6rn", "Fatima", "Lucas", "Mia");
const pp_word_list pp_words_first_names = WL(first_names);

LIST(name_suffixes, "", "Smith", "M\xc3\xbcller",
     "Garc\xc3\xad"
     "a",
     "Chen", "Designs", "Studio", "| Crafts & Home", "Creates", "Makes Things", "Daily", "Co.", "'s Blog");
const pp_word_list pp_words_name_suffixes = WL(name_suffixes);

LIST(emoji, "\xe2\x9c\xa8", "\xf0\x9f\x8e\x84", "\xe2\x9d\xa4\xef\xb8\x8f", "\xf0\x9f\x98\x8d", "\xf0\x9f\x8c\xb8",
     "\xf0\x9f\x94\xa5", "\xf0\x9f\x91\x87", "\xf0\x9f\x92\xa1", "\xf0\x9f\x99\x8c");
const pp_word_list pp_words_emoji = WL(emoji);

LIST(cjk, "\xe6\x9d\xb1\xe4\xba\xac\xe6\x97\x85\xe8\xa1\x8c",        /* 東京旅行 */
     "\xe6\x89\x8b\xe4\xbd\x9c\xe3\x82\x8a",                         /* 手作り */
     "\xe7\xbe\x8e\xe3\x81\x97\xe3\x81\x84",                         /* 美しい */
     "\xe6\x95\xb0\xe5\xad\xa6\xe3\x83\x8e\xe3\x83\xbc\xe3\x83\x88", /* 数学ノート */
     "\xec\x9d\xb8\xed\x85\x8c\xeb\xa6\xac\xec\x96\xb4",             /* 인테리어 */
     "\xe5\x9c\xa3\xe8\xaf\x9e\xe5\xbf\xab\xe4\xb9\x90",             /* 圣诞快乐 */
     "\xe3\x81\x8b\xe3\x82\x8f\xe3\x81\x84\xe3\x81\x84");            /* かわいい */
const pp_word_list pp_words_cjk = WL(cjk);

LIST(backslash, "\xc2\xaf\\_(\xe3\x83\x84)_/\xc2\xaf", "A\\B Test", "C:\\Art\\Ideas", "10\\10", "\\o/");
const pp_word_list pp_words_backslash = WL(backslash);

LIST(garbage_followers, "N/A", "lots", "12kk", "-", "k", "\xe2\x88\x9e", "??", "1.2.3k");
const pp_word_list pp_words_garbage_followers = WL(garbage_followers);

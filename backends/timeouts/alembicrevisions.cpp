#include "timeoutrules.h"

#include <QHash>

namespace cachescope {

namespace {

// Every alembic revision of superset/migrations/versions, grouped by the first release tag that
// carries it, and each tag's head (the revision no other one names as down_revision). Generated
// from the tags of a mirror of apache/superset (CybercentreCanada/superset: 1.5.0 ... 5.0.0rc2) by
// parsing `revision = "..."` and `down_revision = ...` of every migration file at each tag. 2.0.0
// and 2.0.1 share a head. A revision in none of these lists is newer than 5.0.0rc2 or a fork's.
struct ReleaseRevisions
{
    const char *tag;
    SupersetFamily family;
    const char *head;
    const char *added; // space-separated revisions first present at this tag
};

const ReleaseRevisions kReleases[] = {
    {"1.5.0", SupersetFamily::V1_5, "58df9d617f14",
     "021b81fe4fbb 030c840e3a1c 07071313dd52 070c043f2fdb 085f06488938 0a6f12f60c73 0b1f1ab473c0 "
     "0c5070e96b57 0ca9e5f1dacd 11c737c17cc6 1226819ee0e3 1296d28ec131 12d55656cbca 130915240929 "
     "134cea61c5e7 1412ec1e5a7b 143b6f2815da 1495eb914ad3 175ea3592453 181091c0ef16 18532d70ab98 "
     "18dc26817ad2 18e88e1cc004 190188938582 19a814813610 19e978e1b9c3 1a1d627ebd8e 1a48a5411020 "
     "1d2ddd543133 1d9e835a84f9 1e2841a4128 1f6dca87d1a2 21e88bc06c02 258b5280a45e 2591d77e9831 "
     "260bf0649a77 27ae655e4247 289ce07647b 2929af7925ed 2e5a0ee25ed4 2f1d15e8a6af 2fcdcb35e487 "
     "301362411006 30bb17c0dc76 315b3f4da9b0 31b2a1039d4a 31bb738bd1d2 32646df09c64 3317e9248280 "
     "3325d4caccc8 33d996bcc382 3b626e2a6783 3ba29ecbaac5 3c3ffe173e4f 3dda56f1c4c6 3e1b21cd94a4 "
     "3ebe0993c770 3fbbc6e8d654 40f16acf1ba7 41ce8799acc3 41f6a59a61f2 42b4c9e01447 430039611635 "
     "43df8de3a5f4 4451805bbaa1 4500485bde7d 453530256cea 45731db65d9c 45e7da7cfeba 46ba6aaaac97 "
     "46f444d8b9b7 472d2f73dfd4 4736ec66ce19 49b5a32daba5 4b84f97828aa 4ce8df208545 4e6a06bad7a8 "
     "4fa88fe24e94 525c854f0005 55179c7f25c7 55e910a74826 585b0b1a7b18 58df9d617f14 5a7bad26f2a7 "
     "5afa9079866a 5afbb1a5849b 5ccf602336a0 5daced1f0e76 5e4a03ef0bf0 5fd49410a97a 60dc453f4e2e "
     "620241d1153f 6414e83d82b7 65903709c321 6766938c6065 67a6ac9b727b 67da9ef1ef9c 6c7537a6004a "
     "6d20ba9ecb33 705732c70154 72428d1ea401 7293b0ca7944 732f1c06bcbf 73fd22e742ab 743a117f0d98 "
     "7467e77870e4 763d4b211ec9 78ee127d0d1d 7dbf98566af7 7e3ddad2a00b 7f2635b51f5d 7fcdcde0761c "
     "80a67c5192fa 80aa3f04bc82 811494c0cc23 817e1c9b09d0 836c0bf75904 867bf4f117f9 89115a40e8ea "
     "8b70aa3d0f87 8e80a26a31db 8ee129739cf9 937d04c16b64 956a063c52b3 960c69cb1f5b 96e99fb176a0 "
     "978245563a02 979c03af3341 989bbe479899 a2d606a761d9 a33a03f16c4a a61b40f9f57f a65458420354 "
     "a6c18f869a4e a72cb0ebeb22 a8173232b786 a99f2f7c195a a9c47e2c1547 ab104a954a8f ab3d66c4246e "
     "ab8c66efdd01 ab9a9d86e695 abe27eaf93db ad4d656d92bc ad82a75afd82 ae19b4ee3692 ae1ed299413b "
     "aea15018d53b af30ca79208f afb7730f6a9c afc69274c25a b318dfe5fb6c b347b202819b b4456560d4f3 "
     "b46fa1b0b39e b4a38aa87893 b56500de1855 b5998378c225 b5a422d8e252 b6fa807eac07 b8d3a24d9131 "
     "b92d69a6643c bb38f40aa3ff bb51420eaf83 bcf3126872fc bddc498dd179 bebcf3fed1fe bf706ae5eb46 "
     "c18bd4186f15 c25cb2c78727 c2acd2cf3df2 c3a8f8611885 c501b7c653a3 c53bae8f08dd c5756bec8b47 "
     "c611f2b591b8 c617da68de7d c829ff0b37d0 c82ee8a39623 c878781977c6 c9495751e314 ca69c70ec99b "
     "cca2f5d568c8 ccb74baaa89b cefabc8f7d38 d2424a248d63 d39b1e37131d d416d0d715cc d6db5a5cdb5d "
     "d6ffdf31bdd4 d7c1a0d6f2da d827694c7555 d8bc074f7aad d94d33dbe938 db0c65b146bd db4b49eb0782 "
     "db527d8c4c78 ddd6ebdd853b de021a1ca60d def97f26fdfb e11ccdd12658 e323605f370a e37912a26567 "
     "e38177dbf641 e3970889f38e e46f2d27a08e e502db2af7be e553e78e90c5 e557699a813e e5ef6828ac4e "
     "e68c4473c581 e866bd2d4976 e96dbf2cfef0 e9df189e5c7e ea033256294a ea396d202291 ec1f88a35cc6 "
     "eca4694defa7 ef8843b41dac f0fbf6129e13 f120347acb39 f1410ed7ec95 f162a1dea4c4 f18570e03440 "
     "f1f2d4af5b90 f231d82b9b26 f2672aa8350a f6196627326f f80a3b88324b f959a6652acd f9847149153d "
     "f9a30386bd74 fb13d49b72f9 fbd55e0f83eb fc3a3a8ff221 fc480c87706c fe23025b9441 fee7b758c130 "},
    {"2.0.0", SupersetFamily::V2_0, "e09b4ae78457",
     "2ed890b36b94 6f139c533bea 8b841273bec3 9d8a8d575284 a9422eeaae74 ad07e4fdbaba b0d0249074e4 "
     "cbe71abde154 cecc6bf46990 e09b4ae78457 e786798587de "},
    {"2.0.1", SupersetFamily::V2_0_1, "e09b4ae78457",
     ""},
    {"2.1.0", SupersetFamily::V2_1, "f3c2d8ec8595",
     "06e1e70058c7 291f024254b5 409c7b420ab0 4ce1d9b25135 6d3c6f9d665d 7fb8bca906d2 a39867932713 "
     "c747c78868b6 cdcf3d64daf4 deb4c9d4a4ef f3afaf1f11f0 f3c2d8ec8595 ffa79af61a56 "},
    {"3.0.0", SupersetFamily::V3_0, "ec54aca4c8a2",
     "0769ef90fddd 07f9a902af1b 240d23c7f86f 2e826adca42c 4448fa6deeb1 4c5da39be729 4ea966691069 "
     "6d05b0a70c89 6fbe660cac39 7e67aecbf3f1 83e1abbe777f 863adcf72773 8ace289026f3 8e5b0fb85b9a "
     "90139bf715e4 9ba2ce3086e5 9c2a5681ddfd 9f4a086c2676 a23c6f8b1280 ae58e1e58e5c b5ea9d343307 "
     "bf646a0c1501 c0a3ea245b61 d0ac08bb5b83 ec54aca4c8a2 f92a3124dd66 "},
    {"3.1.0", SupersetFamily::V3_1, "b7851ee5522f",
     "317970b4400c 4b85906e5b91 b7851ee5522f e0f6f91c2055 ee179a490af9 "},
    {"4.0.0", SupersetFamily::V4_0, "17fcea065655",
     "06dd9ff00fe8 15a2c68a2e6b 17fcea065655 1cf8e4344e2b 214f580d09c9 59a1450b3c10 65a167d4c62e "
     "87d38ad83218 96164e3017c6 a32e0c4d8646 e863403c0c50 "},
    {"4.1.0", SupersetFamily::V4_1, "48cbb571fa3a",
     "007a1abffe7e 02f4f7811799 38f4144e8558 39549add7bfc 3dfd0e78650e 4081be5b6b74 48cbb571fa3a "
     "4a33124c18ad 58d051681a3b 5ad7321c2169 5f57af97bc3f 645bb206f96c 678eefb4ab44 87ffc36f9842 "
     "9621c6d56ffb a6b32d2d07b1 be1b217cd8cd c22cb5c2e546 d60591c5515f e53fd48cc078 f7b6750b67e8 "
     "f84fde59123a "},
    {"5.0.0rc2", SupersetFamily::V5_0, "32bf93dfe2a4",
     "32bf93dfe2a4 74ad1125881c 7b17aa722e30 94e7a3499973 d482d51c15ca df3d7e2eb9a4 eb1c288c71c4 "},
};

} // namespace

FamilyGuess familyFromAlembicRevision(const QString &revision)
{
    FamilyGuess guess;
    const QString rev = revision.trimmed();
    constexpr int kCount = int(sizeof(kReleases) / sizeof(kReleases[0]));
    // revision → index of the first release carrying it (built once).
    static const QHash<QByteArray, int> firstRelease = [] {
        QHash<QByteArray, int> map;
        for (int i = 0; i < kCount; ++i)
            for (const QByteArray &token : QByteArray(kReleases[i].added).split(' '))
                if (!token.isEmpty() && !map.contains(token))
                    map.insert(token, i);
        return map;
    }();
    const QByteArray key = rev.toLatin1();
    const int firstIndex = firstRelease.value(key, -1);
    bool isHead = false;
    for (int i = 0; i < kCount; ++i)
        if (key == kReleases[i].head)
            isHead = true;
    const SupersetFamily newest = newestFamily();
    if (rev.isEmpty()) {
        guess.family = newest;
        guess.reason = QStringLiteral("the metadata database has no alembic_version row: assuming the newest family "
                                      "known (%1)")
                           .arg(familyId(newest));
        return guess;
    }
    if (firstIndex < 0) {
        guess.family = newest;
        guess.reason = QStringLiteral("alembic revision %1 is in no release up to 5.0 (a newer release or a fork): "
                                      "assuming the newest family known (%2); pass --superset-version to choose")
                           .arg(rev, familyId(newest));
        return guess;
    }
    const ReleaseRevisions &r = kReleases[firstIndex];
    if (isHead) {
        guess.exact = true;
        guess.family = r.family;
        if (r.family == SupersetFamily::V2_0) {
            // 2.0.0 and 2.0.1 migrate to the same head; 2.0.1 carries the chart step (PR #21637).
            guess.exact = false;
            guess.family = SupersetFamily::V2_0_1;
            guess.reason = QStringLiteral("alembic revision %1 is the head of both 2.0.0 and 2.0.1: assuming 2.0.1 (pass "
                                          "--superset-version 2.0 for 2.0.0, which ignores chart timeouts)")
                               .arg(rev);
            return guess;
        }
        if (r.family == SupersetFamily::V5_0)
            guess.reason = QStringLiteral("alembic revision %1 is the head of 5.0.0rc2: family 5.0 (6.0 adds "
                                          "migrations, so a 6.0 database is not at this revision)")
                               .arg(rev);
        else
            guess.reason = QStringLiteral("alembic revision %1 is the head of Superset %2: family %3")
                               .arg(rev, QString::fromLatin1(r.tag), familyId(r.family));
        return guess;
    }
    if (firstIndex == 0) {
        guess.family = SupersetFamily::V1_5;
        guess.reason = QStringLiteral("alembic revision %1 predates Superset 1.5.0's head: an older release; using the "
                                      "oldest family known (1.5)")
                           .arg(rev);
        return guess;
    }
    // Added by release i but not its head: a build between release i-1 and release i.
    const ReleaseRevisions &before = kReleases[firstIndex - 1];
    SupersetFamily family = before.family == SupersetFamily::V2_0 ? SupersetFamily::V2_0_1 : before.family;
    guess.family = family;
    guess.reason = QStringLiteral("alembic revision %1 lies between Superset %2 and %3 (a build after %2): assuming "
                                  "family %4")
                       .arg(rev, QString::fromLatin1(before.tag), QString::fromLatin1(r.tag), familyId(family));
    return guess;
}

} // namespace cachescope

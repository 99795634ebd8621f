// Netlify keeps .cache/site-builder/ (rendered Markdown, personal-data findings, compiled templates)
// between builds, so that a production build starts warm. What the cache holds is trusted only when
// it is signed with SITE_BUILDER_CACHE_KEY, a secret set for production builds alone (README, Publishing):
// a deploy preview builds a pull request's code, so it may read the cache but never saves it, and
// anything else found in the cache is ignored by the builder, unread.
const CACHE = ".cache/site-builder";

module.exports = {
  async onPreBuild({ utils }) {
    if (await utils.cache.restore(CACHE)) {
      console.log(`Restored ${CACHE} from an earlier build.`);
    }
  },
  async onPostBuild({ utils }) {
    if (process.env.CONTEXT === "production" && process.env.SITE_BUILDER_CACHE_KEY) {
      await utils.cache.save(CACHE);
      console.log(`Saved ${CACHE} for the next build.`);
    }
  },
};

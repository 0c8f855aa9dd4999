// Pages and their URLs (history mode; the server answers index.html for them). Torrent pages
// live at /t/<infohash> because /torrents/ is the server's .torrent download path.
import { createRouter, createWebHistory } from 'vue-router';
import { useAuth } from './composables/useAuth';
import TorrentsPage from './pages/TorrentsPage.vue';

export const router = createRouter({
  history: createWebHistory(),
  // back and forward return to where the page was scrolled (the list is kept alive: its rows are there)
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  routes: [
    { path: '/', name: 'torrents', component: TorrentsPage, meta: { title: 'Torrents' } },
    { path: '/t/:infoHash', name: 'torrent', component: () => import('./pages/TorrentPage.vue'), props: true, meta: { title: 'Torrent' } },
    { path: '/upload', name: 'upload', component: () => import('./pages/UploadPage.vue'), meta: { title: 'Upload', auth: true } },
    { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { title: 'Sign in' } },
    { path: '/account', name: 'account', component: () => import('./pages/AccountPage.vue'), meta: { title: 'Account', auth: true } },
    { path: '/users', name: 'users', component: () => import('./pages/UsersPage.vue'), meta: { title: 'Users', auth: true } },
    { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: 'Not found' } },
  ],
});

router.beforeEach((to) => {
  if (to.meta.auth && !useAuth().signedIn.value) return { name: 'login', query: { next: to.fullPath } };
  return true;
});

/** Sets the tab's title: a page's own (a torrent's name) or its route's. */
export function setTitle(title: string): void {
  document.title = `${title} · seedhost`;
}

router.afterEach((to) => {
  if (to.name !== 'torrent') setTitle(String(to.meta.title ?? ''));
});

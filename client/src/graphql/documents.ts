// Every GraphQL operation the web UI sends, by name.
import { gql } from '@urql/core';

const TORRENT_FIELDS = `
  infoHash name size createdAt seeders leechers completed magnetUri torrentUrl hosted
`;

export const TORRENTS = gql`
  query Torrents($search: String, $first: Int, $after: String, $orderBy: TorrentOrderField, $descending: Boolean) {
    torrents(search: $search, first: $first, after: $after, orderBy: $orderBy, descending: $descending) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ${TORRENT_FIELDS} }
    }
  }
`;

export const TORRENT = gql`
  query Torrent($infoHash: String!, $filesFirst: Int) {
    torrent(infoHash: $infoHash) {
      ${TORRENT_FIELDS}
      description metainfoName owner pieceLength pieceCount webseedUrl format infoHashV2
      fileCount
      files(first: $filesFirst) { path size cursor }
    }
  }
`;

/** Files shown at first, and fetched per "show more" (the server's page size is at most 1000). */
export const FILES_PAGE = 500;

export const TORRENT_FILES = gql`
  query TorrentFiles($infoHash: String!, $first: Int!, $after: String!) {
    torrent(infoHash: $infoHash) {
      infoHash
      files(first: $first, after: $after) { path size cursor }
    }
  }
`;

/** One page of a swarm's peers (admins only: anyone else gets FORBIDDEN, so only admins send it). */
export const SWARM_PEERS = gql`
  query SwarmPeers($infoHash: String!, $first: Int, $after: String) {
    swarm(infoHash: $infoHash) {
      infoHash
      peers(first: $first, after: $after) { ip port seeder uploaded downloaded left client lastSeen cursor }
    }
  }
`;

/** A swarm's history over the last `minutes` (at most 500 points, oldest first). */
export const SWARM_HISTORY = gql`
  query SwarmHistory($infoHash: String!, $minutes: Int!) {
    swarm(infoHash: $infoHash) { infoHash history(minutes: $minutes) { at seeders leechers completed } }
  }
`;

/** Counts of the torrents a page shows (at most 100: the server's MAX_WATCHED_TORRENTS). */
export const SWARMS_UPDATED = gql`
  subscription SwarmsUpdated($infoHashes: [String!]!) {
    swarmsUpdated(infoHashes: $infoHashes, current: true) { infoHash seeders leechers completed }
  }
`;

export const TORRENT_ADDED = gql`
  subscription TorrentAdded {
    torrentAdded { ${TORRENT_FIELDS} }
  }
`;

export const TORRENT_REMOVED = gql`
  subscription TorrentRemoved {
    torrentRemoved { infoHash }
  }
`;

export const UPDATE_TORRENT = gql`
  mutation UpdateTorrent($infoHash: String!, $name: String, $description: String) {
    updateTorrent(infoHash: $infoHash, name: $name, description: $description) { infoHash name description }
  }
`;

export const DELETE_TORRENT = gql`
  mutation DeleteTorrent($infoHash: String!) { deleteTorrent(infoHash: $infoHash) }
`;

/** Sent as a multipart request by the upload page (plain text: it goes into `operations`). */
export const UPLOAD_TORRENT_TEXT = `mutation UploadTorrent($files: [Upload!]!, $name: String, $description: String, $totalSize: Float) {
  uploadTorrent(files: $files, name: $name, description: $description, totalSize: $totalSize) { infoHash name }
}`;

/** Sent as a multipart request by "track an existing .torrent" (one file at variables.file). */
export const REGISTER_TORRENT_TEXT = `mutation RegisterTorrent($file: Upload!, $description: String) {
  registerTorrent(file: $file, description: $description) { infoHash name }
}`;

export const LIMITS = gql`
  query Limits { limits { maxUploadBytes maxTorrentFiles maxTorrentFileBytes maxNameBytes maxDescriptionLength maxSearchLength } }
`;

export const LOGIN = gql`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) { token user { username role } }
  }
`;

export const LOGOUT = gql`
  mutation Logout { logout }
`;

export const CHANGE_PASSWORD = gql`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) { changePassword(currentPassword: $currentPassword, newPassword: $newPassword) }
`;

export const ME = gql`
  query Me { me { id username role createdAt } }
`;

export const API_TOKENS = gql`
  query ApiTokens { apiTokens { id name createdAt lastUsedAt revokedAt } }
`;

export const CREATE_API_TOKEN = gql`
  mutation CreateApiToken($name: String!) {
    createApiToken(name: $name) { token apiToken { id name createdAt lastUsedAt revokedAt } }
  }
`;

export const REVOKE_API_TOKEN = gql`
  mutation RevokeApiToken($id: Int!) { revokeApiToken(id: $id) }
`;

export const USERS = gql`
  query Users { users { id username role createdAt } }
`;

export const CREATE_USER = gql`
  mutation CreateUser($username: String!, $password: String!, $role: Role!) {
    createUser(username: $username, password: $password, role: $role) { id username role createdAt }
  }
`;

export const UPDATE_USER = gql`
  mutation UpdateUser($id: Int!, $role: Role, $password: String) {
    updateUser(id: $id, role: $role, password: $password) { id username role createdAt }
  }
`;

export const DELETE_USER = gql`
  mutation DeleteUser($id: Int!) { deleteUser(id: $id) }
`;
